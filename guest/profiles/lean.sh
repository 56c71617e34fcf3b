# guest profile "lean" — sourced by guest/build.sh.
# The default profile: what the tests and the demo use. FFmpeg starts from
# --disable-everything and enables only the components listed here.

# Debian source packages built (in this order) before FFmpeg.
PROFILE_DEPS=(zlib x264 lame opus)

# Its size budget is in guest/size-budgets.

PROFILE_FFMPEG_FLAGS=(
  --enable-gpl --enable-libx264 --enable-libmp3lame --enable-libopus --enable-zlib
  --disable-everything
  --enable-decoder=h264,hevc,vp8,vp9,mpeg4,mjpeg,png,aac,mp3,mp3float,opus,vorbis,flac,pcm_*,rawvideo,wrapped_avframe,srt,subrip,webvtt,movtext,ass,ssa
  --enable-encoder=libx264,aac,libmp3lame,libopus,flac,pcm_s16le,png,mjpeg,rawvideo,wrapped_avframe,srt,subrip,webvtt,movtext,ass,ssa
  --enable-demuxer=mov,matroska,mp3,wav,ogg,flac,aac,image2,concat,rawvideo,ffmetadata,srt,webvtt,ass,hls,mpegts
  --enable-muxer=mp4,mov,ipod,matroska,webm,mp3,wav,ogg,opus,flac,adts,mpegts,image2,hls,segment,ffmetadata,srt,webvtt,ass,null,framemd5,rawvideo
  --enable-protocol=file,pipe,concat
  --enable-parsers --enable-bsfs
  --enable-avdevice --enable-indev=lavfi
  --enable-filter=scale,fps,format,aformat,trim,atrim,setpts,asetpts,concat,overlay,crop,pad,split,asplit,select,aselect,thumbnail,tile,drawbox,hflip,vflip,transpose,rotate,fade,afade,xfade,amix,amerge,pan,volume,aresample,atempo,loudnorm,ebur128,volumedetect,silencedetect,astats,blackdetect,scdet,showinfo,ashowinfo,null,anull,nullsink,anullsink,testsrc,testsrc2,color,sine,anullsrc,setsar,setdar
)
