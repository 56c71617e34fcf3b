//! The task helpers' builders from Python keyword arguments, and the chunk
//! plan as Python data.

use crate::errors;
use afmpeg::command::{CommandError, Time};
use afmpeg::tasks::{
    ChunkPlan, Clip, ClipMode, Concat, ConcatMode, FrameSelection, Frames, Hls, ImageFormat,
    PlannedJob, Transcode,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Seconds as a [`Time`]; a negative or non-finite value is a `CommandError`.
pub fn time(py: Python<'_>, seconds: f64) -> PyResult<Time> {
    Time::from_secs_f64(seconds).map_err(|e| command_error(py, e))
}

fn command_error(py: Python<'_>, e: CommandError) -> PyErr {
    errors::to_py(py, afmpeg::Error::Command(e))
}

/// Codec, quality and speed settings several helpers share.
#[derive(Default)]
pub struct Encoding {
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub crf: Option<u8>,
    pub preset: Option<String>,
}

/// Applies the [`Encoding`] settings a helper has, by its own methods.
macro_rules! encode_with {
    ($task:expr, $enc:expr, [$($field:ident),*]) => {{
        let mut t = $task;
        $(if let Some(v) = $enc.$field.clone() { t = t.$field(v); })*
        t
    }};
}

/// Sizes and rates of a transcode.
#[derive(Default)]
pub struct Shape {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub frame_rate: Option<u32>,
    pub video_bitrate: Option<u64>,
    pub audio_bitrate: Option<u64>,
    pub no_video: bool,
    pub no_audio: bool,
    pub format: Option<String>,
}

pub fn transcode(input: &str, output: &str, enc: &Encoding, shape: &Shape) -> Transcode {
    let mut t = encode_with!(
        Transcode::new(input, output),
        enc,
        [video_codec, audio_codec, crf, preset]
    );
    t = match (shape.width, shape.height) {
        (Some(w), Some(h)) => t.size(w, h),
        (Some(w), None) => t.scale_width(w),
        _ => t,
    };
    if let Some(r) = shape.frame_rate {
        t = t.frame_rate(r);
    }
    if let Some(b) = shape.video_bitrate {
        t = t.video_bitrate(b);
    }
    if let Some(b) = shape.audio_bitrate {
        t = t.audio_bitrate(b);
    }
    if let Some(f) = &shape.format {
        t = t.format(f.as_str());
    }
    if shape.no_video {
        t = t.no_video();
    }
    if shape.no_audio {
        t = t.no_audio();
    }
    t
}

#[allow(clippy::too_many_arguments)]
pub fn clip(
    py: Python<'_>,
    input: &str,
    output: &str,
    start: f64,
    duration: Option<f64>,
    end: Option<f64>,
    accurate: bool,
    enc: &Encoding,
) -> PyResult<Clip> {
    let mut c = encode_with!(
        Clip::new(input, output, time(py, start)?),
        enc,
        [video_codec, audio_codec, crf, preset]
    );
    match (duration, end) {
        (Some(_), Some(_)) => {
            return Err(errors::config(py, "give duration or end, not both"));
        }
        (Some(d), None) => c = c.duration(time(py, d)?),
        (None, Some(e)) => c = c.end(time(py, e)?),
        (None, None) => {}
    }
    Ok(c.mode(if accurate {
        ClipMode::Accurate
    } else {
        ClipMode::Fast
    }))
}

/// Which frames `Runtime.frames` extracts: exactly one of its selection
/// arguments, or the helper's default (one every 10 s).
pub struct FrameChoice {
    pub every: Option<f64>,
    pub at: Option<Vec<f64>>,
    pub scenes: Option<f64>,
    pub best: Option<u32>,
}

#[allow(clippy::too_many_arguments)]
pub fn frames(
    py: Python<'_>,
    input: &str,
    dir: &str,
    choice: FrameChoice,
    format: &str,
    quality: Option<u8>,
    width: Option<u32>,
    height: Option<u32>,
    max_frames: Option<u64>,
) -> PyResult<Frames> {
    let mut chosen = Vec::new();
    if let Some(s) = choice.every {
        chosen.push(FrameSelection::Every(time(py, s)?));
    }
    if let Some(at) = choice.at {
        let times = at
            .into_iter()
            .map(|s| time(py, s))
            .collect::<PyResult<_>>()?;
        chosen.push(FrameSelection::At(times));
    }
    if let Some(threshold) = choice.scenes {
        chosen.push(FrameSelection::SceneChanges { threshold });
    }
    if let Some(batch) = choice.best {
        chosen.push(FrameSelection::Best { batch });
    }
    if chosen.len() > 1 {
        return Err(errors::config(
            py,
            "give at most one of every, at, scenes and best",
        ));
    }
    // `quality` is on each format's own scale, so its default is the
    // format's: FFmpeg's best JPEG (2), libwebp's default (75).
    let image = match (format, quality) {
        ("png", None) => ImageFormat::Png,
        ("png", Some(_)) => {
            return Err(errors::config(py, "PNG is lossless: it takes no quality"));
        }
        ("jpeg" | "jpg", q) => ImageFormat::Jpeg {
            quality: q.unwrap_or(2),
        },
        ("webp", None) => ImageFormat::WEBP,
        ("webp", Some(quality)) => ImageFormat::WebP { quality },
        (other, _) => {
            return Err(errors::config(
                py,
                format!("image format {other:?}: use \"png\", \"jpeg\" or \"webp\""),
            ));
        }
    };
    let mut f = Frames::new(input, dir).format(image);
    if let Some(s) = chosen.pop() {
        f = f.select(s);
    }
    f = match (width, height) {
        (Some(w), Some(h)) => f.scale(w, h),
        (Some(w), None) => f.scale_width(w),
        (None, Some(h)) => f.scale_height(h),
        (None, None) => f,
    };
    if let Some(n) = max_frames {
        f = f.max_frames(n);
    }
    Ok(f)
}

pub fn concat(inputs: Vec<String>, output: &str, copy: bool, enc: &Encoding) -> Concat {
    let c = encode_with!(Concat::new(inputs, output), enc, [crf, preset]);
    c.mode(if copy {
        ConcatMode::Copy
    } else {
        ConcatMode::Reencode
    })
}

pub fn hls(
    py: Python<'_>,
    input: &str,
    playlist: &str,
    segment_duration: Option<f64>,
    copy: bool,
    enc: &Encoding,
) -> PyResult<Hls> {
    let mut h = encode_with!(
        Hls::new(input, playlist),
        enc,
        [video_codec, audio_codec, crf, preset]
    );
    if let Some(d) = segment_duration {
        h = h.segment_duration(time(py, d)?);
    }
    Ok(if copy { h.copy() } else { h })
}

fn job_dict<'py>(py: Python<'py>, j: &PlannedJob) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("args", j.args.clone())?;
    d.set_item("output", j.output.as_str())?;
    Ok(d)
}

/// A [`ChunkPlan`] as a dict of plain values (it crosses processes).
pub fn plan_dict<'py>(py: Python<'py>, p: &ChunkPlan) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("input", p.input.as_str())?;
    d.set_item("work_dir", p.work_dir.as_str())?;
    d.set_item("frames", p.frames)?;
    let chunks = p
        .chunks
        .iter()
        .map(|c| {
            let c_d = PyDict::new(py);
            c_d.set_item("first_frame", c.first_frame)?;
            c_d.set_item("frames", c.frames)?;
            c_d.set_item("start", c.start.as_micros() as f64 / 1e6)?;
            Ok(c_d)
        })
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("chunks", chunks)?;
    d.set_item(
        "audio",
        p.audio.as_ref().map(|a| job_dict(py, a)).transpose()?,
    )?;
    let pieces = p
        .pieces
        .iter()
        .map(|j| job_dict(py, j))
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("pieces", pieces)?;
    d.set_item("join", job_dict(py, &p.join)?)?;
    d.set_item(
        "join_list",
        (p.join_list.0.as_str(), p.join_list.1.as_str()),
    )?;
    Ok(d)
}
