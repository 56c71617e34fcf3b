//! std.Io.Dir / std.Io.File scenarios, run under `afmpeg run` and under the
//! reference by tests/wasi_external.rs with a writable directory preopened
//! as /work. Each scenario prints `ok NAME` or `FAIL NAME: error`, like the
//! C conformance programs; every one works through a directory Zig opened
//! itself (the pattern issue #17 found broken: files created through it
//! could not be written).

const std = @import("std");
const Io = std.Io;
const Dir = Io.Dir;
const File = Io.File;

const Scenario = struct { []const u8, *const fn (Io, Dir) anyerror!void };

/// The scenario table (tests/wasi_external.rs reads the names from here).
const scenarios = [_]Scenario{
    .{ "create_write_read", createWriteRead },
    .{ "create_exclusive_exists", createExclusiveExists },
    .{ "open_write_existing", openWriteExisting },
    .{ "rename_file", renameFile },
    .{ "rename_over_existing", renameOverExisting },
    .{ "delete_file", deleteFile },
    .{ "make_and_delete_dirs", makeAndDeleteDirs },
    .{ "iterate_entries", iterateEntries },
    .{ "symlink_read_and_nofollow", symlinkReadAndNofollow },
    .{ "stat_size_and_kind", statSizeAndKind },
    .{ "seek_and_positional_io", seekAndPositionalIo },
    .{ "truncate_and_extend", truncateAndExtend },
    .{ "tmp_dir_like_testing", tmpDirLikeTesting },
    .{ "copy_file", copyFile },
    .{ "create_file_atomic", createFileAtomic },
    .{ "open_dir_for_write_is_dir", openDirForWriteIsDir },
    .{ "delete_tree", deleteTree },
    .{ "nested_dir_create_write", nestedDirCreateWrite },
};

pub fn main(init: std.process.Init) !void {
    const io = init.io;
    var buf: [4096]u8 = undefined;
    // Streaming: stdout may be a pipe that cannot seek (the reference's is).
    var w = File.stdout().writerStreaming(io, &buf);
    const out = &w.interface;
    // Zig's cwd on wasip1 is fd 3, the first preopen (/work).
    const root = Dir.cwd();
    var failures: usize = 0;
    for (scenarios, 0..) |s, i| {
        // Each scenario in a fresh directory the program opens itself.
        var name_buf: [32]u8 = undefined;
        const sub = try std.fmt.bufPrint(&name_buf, "s{d}", .{i});
        try root.createDir(io, sub, .default_dir);
        const dir = try root.openDir(io, sub, .{ .iterate = true });
        defer dir.close(io);
        if (s[1](io, dir)) |_| {
            try out.print("ok {s}\n", .{s[0]});
        } else |err| {
            failures += 1;
            try out.print("FAIL {s}: {s}\n", .{ s[0], @errorName(err) });
        }
        try out.flush();
    }
    try out.print("done {d} {d}\n", .{ scenarios.len, failures });
    try out.flush();
    if (failures != 0) std.process.exit(1);
}

fn expectContents(io: Io, dir: Dir, path: []const u8, want: []const u8) !void {
    var buf: [256]u8 = undefined;
    const got = try dir.readFile(io, path, &buf);
    if (!std.mem.eql(u8, got, want)) return error.ContentsDiffer;
}

fn createWriteRead(io: Io, dir: Dir) !void {
    const f = try dir.createFile(io, "a.txt", .{ .read = true });
    defer f.close(io);
    try f.writeStreamingAll(io, "hello zig");
    var buf: [16]u8 = undefined;
    const n = try f.readPositionalAll(io, &buf, 0);
    if (!std.mem.eql(u8, buf[0..n], "hello zig")) return error.ContentsDiffer;
    try expectContents(io, dir, "a.txt", "hello zig");
}

fn createExclusiveExists(io: Io, dir: Dir) !void {
    (try dir.createFile(io, "x", .{ .exclusive = true })).close(io);
    if (dir.createFile(io, "x", .{ .exclusive = true })) |f| {
        f.close(io);
        return error.ExpectedPathAlreadyExists;
    } else |err| if (err != error.PathAlreadyExists) return err;
}

fn openWriteExisting(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "e", .data = "12345" });
    const f = try dir.openFile(io, "e", .{ .mode = .write_only });
    defer f.close(io);
    try f.writePositionalAll(io, "ab", 1);
    try expectContents(io, dir, "e", "1ab45");
}

fn renameFile(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "old", .data = "r" });
    try dir.rename("old", dir, "new", io);
    try expectContents(io, dir, "new", "r");
    if (dir.access(io, "old", .{})) |_| return error.OldStillThere else |err| if (err != error.FileNotFound) return err;
}

fn renameOverExisting(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "src", .data = "new" });
    try dir.writeFile(io, .{ .sub_path = "dst", .data = "old contents" });
    try dir.rename("src", dir, "dst", io);
    try expectContents(io, dir, "dst", "new");
}

fn deleteFile(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "d", .data = "x" });
    try dir.deleteFile(io, "d");
    if (dir.deleteFile(io, "d")) |_| return error.DeletedTwice else |err| if (err != error.FileNotFound) return err;
}

fn makeAndDeleteDirs(io: Io, dir: Dir) !void {
    try dir.createDirPath(io, "p/q/r");
    try dir.writeFile(io, .{ .sub_path = "p/q/r/f", .data = "f" });
    if (dir.deleteDir(io, "p/q/r")) |_| return error.DeletedNonEmpty else |err| if (err != error.DirNotEmpty) return err;
    try dir.deleteFile(io, "p/q/r/f");
    try dir.deleteDir(io, "p/q/r");
    try dir.deleteDir(io, "p/q");
    try dir.deleteDir(io, "p");
}

fn iterateEntries(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "one", .data = "1" });
    try dir.writeFile(io, .{ .sub_path = "two", .data = "2" });
    try dir.createDir(io, "sub", .default_dir);
    var it = dir.iterate();
    var files: usize = 0;
    var dirs: usize = 0;
    while (try it.next(io)) |e| {
        switch (e.kind) {
            .file => files += 1,
            .directory => dirs += 1,
            else => return error.UnexpectedKind,
        }
    }
    if (files != 2 or dirs != 1) return error.WrongEntries;
}

fn symlinkReadAndNofollow(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "target", .data = "via link" });
    try dir.symLink(io, "target", "link", .{});
    var buf: [64]u8 = undefined;
    const n = try dir.readLink(io, "link", &buf);
    if (!std.mem.eql(u8, buf[0..n], "target")) return error.WrongLinkTarget;
    // Zig's openFile on wasip1 never sets SYMLINK_FOLLOW: opening the link
    // itself is ELOOP, as Linux's open(O_NOFOLLOW); the target it names reads.
    if (dir.readFile(io, "link", &buf)) |_| return error.ExpectedSymLinkLoop else |err| if (err != error.SymLinkLoop) return err;
    try expectContents(io, dir, buf[0..n], "via link");
}

fn statSizeAndKind(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "s", .data = "seven!!" });
    const st = try dir.statFile(io, "s", .{});
    if (st.size != 7 or st.kind != .file) return error.WrongStat;
    const ds = try dir.stat(io);
    if (ds.kind != .directory) return error.WrongDirStat;
}

fn seekAndPositionalIo(io: Io, dir: Dir) !void {
    const f = try dir.createFile(io, "p", .{ .read = true });
    defer f.close(io);
    var wbuf: [16]u8 = undefined;
    var w = f.writer(io, &wbuf);
    try w.interface.writeAll("0123456789");
    try w.seekTo(4);
    try w.interface.writeAll("xy");
    try w.interface.flush();
    var rbuf: [16]u8 = undefined;
    var r = f.reader(io, &rbuf);
    try r.seekTo(3);
    var got: [4]u8 = undefined;
    try r.interface.readSliceAll(&got);
    if (!std.mem.eql(u8, &got, "3xy6")) return error.ContentsDiffer;
}

fn truncateAndExtend(io: Io, dir: Dir) !void {
    const f = try dir.createFile(io, "t", .{ .read = true });
    defer f.close(io);
    try f.writeStreamingAll(io, "abcdef");
    try f.setLength(io, 3);
    if (try f.length(io) != 3) return error.NotTruncated;
    try f.setLength(io, 5);
    var buf: [8]u8 = undefined;
    const n = try f.readPositionalAll(io, &buf, 0);
    if (!std.mem.eql(u8, buf[0..n], "abc\x00\x00")) return error.ContentsDiffer;
}

/// What std.testing.tmpDir does: .zig-cache/tmp/<random>, opened through
/// directories created and opened one by one, then used for files.
fn tmpDirLikeTesting(io: Io, dir: Dir) !void {
    var cache = try dir.createDirPathOpen(io, ".zig-cache", .{});
    defer cache.close(io);
    var parent = try cache.createDirPathOpen(io, "tmp", .{});
    defer parent.close(io);
    var tmp = try parent.createDirPathOpen(io, "AbCdEfGhIjKlMnOp", .{ .open_options = .{ .iterate = true } });
    try tmp.writeFile(io, .{ .sub_path = "in_tmp", .data = "tmp data" });
    try expectContents(io, tmp, "in_tmp", "tmp data");
    tmp.close(io);
    try parent.deleteTree(io, "AbCdEfGhIjKlMnOp");
}

fn copyFile(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "orig", .data = "copied bytes" });
    try dir.createDir(io, "to", .default_dir);
    const to = try dir.openDir(io, "to", .{});
    defer to.close(io);
    try dir.copyFile("orig", to, "copy", io, .{});
    try expectContents(io, to, "copy", "copied bytes");
}

fn createFileAtomic(io: Io, dir: Dir) !void {
    try dir.writeFile(io, .{ .sub_path = "atomic", .data = "before" });
    var af = try dir.createFileAtomic(io, "atomic", .{ .replace = true });
    defer af.deinit(io);
    try af.file.writeStreamingAll(io, "after");
    try af.replace(io);
    try expectContents(io, dir, "atomic", "after");
}

fn openDirForWriteIsDir(io: Io, dir: Dir) !void {
    try dir.createDir(io, "d", .default_dir);
    if (dir.openFile(io, "d", .{ .mode = .read_write, .allow_directory = true })) |f| {
        f.close(io);
        return error.ExpectedIsDir;
    } else |err| if (err != error.IsDir) return err;
}

fn deleteTree(io: Io, dir: Dir) !void {
    try dir.createDirPath(io, "tree/a/b");
    try dir.writeFile(io, .{ .sub_path = "tree/a/b/leaf", .data = "l" });
    try dir.writeFile(io, .{ .sub_path = "tree/top", .data = "t" });
    try dir.deleteTree(io, "tree");
    if (dir.access(io, "tree", .{})) |_| return error.TreeStillThere else |err| if (err != error.FileNotFound) return err;
}

fn nestedDirCreateWrite(io: Io, dir: Dir) !void {
    try dir.createDir(io, "n1", .default_dir);
    const n1 = try dir.openDir(io, "n1", .{});
    defer n1.close(io);
    try n1.createDir(io, "n2", .default_dir);
    const n2 = try n1.openDir(io, "n2", .{});
    defer n2.close(io);
    const f = try n2.createFile(io, "deep", .{});
    try f.writeStreamingAll(io, "deep write");
    f.close(io);
    try expectContents(io, dir, "n1/n2/deep", "deep write");
}
