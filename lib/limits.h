/*
 * limits.h - every cap prober puts on what it reads from the network or disk.
 *
 * Going over one of these is a `fail` with reason `too_large` (or a clean
 * rejection of a probe file), never a crash or an out-of-memory. Keep them here,
 * named, never as magic numbers at the use.
 */
#ifndef VSP_LIMITS_H
#define VSP_LIMITS_H

/* Bytes of a master/media playlist or MPD we accept. A 200 000-segment VOD
 * playlist is about 6 MB, so 16 MB leaves room without letting a hostile
 * origin make us buffer a 100 MB "manifest". */
#define VSP_MANIFEST_MAX_BYTES (16L * 1024 * 1024)
/* Bytes of one media or init segment: a 10 s 4K segment is about 25 MB. */
#define VSP_SEGMENT_MAX_BYTES (64L * 1024 * 1024)
/* An AES-128 key is 16 bytes; anything much longer is not a key. */
#define VSP_KEY_MAX_BYTES 1024L
/* Segments in one media playlist, and renditions in one master. */
#define VSP_HLS_MAX_SEGMENTS 500000
#define VSP_MAX_RENDITIONS   256
/* Longest playlist line and attribute list we parse. */
#define VSP_HLS_MAX_LINE  (64 * 1024)
#define VSP_HLS_MAX_ATTRS 64
/* Redirects followed per transfer (also restricted to http/https). */
#define VSP_MAX_REDIRECTS 5
/* Frames a check may ask to decode. */
#define VSP_MAX_FRAMES 600
/* Origins in one stream, headers and resolve pins per origin. */
#define VSP_MAX_ORIGINS 32
#define VSP_MAX_HEADERS 32
/* Decoders running at once in one process, per CPU: decoding is CPU-bound,
 * so more only costs memory and fresh pages (a fleet run with many jobs
 * waits instead). */
#define VSP_DECODERS_PER_CPU 1
/* A segment demuxed while it arrives (vsp_probe_set_stream_segments())
 * holds at most this much of its body: the transfer waits when it is full. */
#define VSP_STREAM_PIPE_BYTES (512L * 1024)
/* ... for a segment of at least this many bytes by its declared bitrate. */
#define VSP_STREAM_MIN_BYTES (1024L * 1024)
/* Renditions of one origin probed at the same time (threads). */
#define VSP_RENDITION_PARALLEL 8
/* With vsp_probe_set_serial_renditions() (prober check, the plugin), an
 * origin's renditions run one after another for at most 1/this of the time
 * left before the deadline, then on the pool: a slow origin's renditions
 * start at most that much later than on the pool from the start. */
#define VSP_SERIAL_SHARE 10
/* Default deadline of a whole check, seconds, and default frames. */
#define VSP_DEFAULT_TIMEOUT_S 20.0
#define VSP_DEFAULT_FRAMES    5
/* Element nesting in an MPD. Real MPDs nest about 6 deep (MPD, Period,
 * AdaptationSet, Representation, SegmentTemplate, SegmentTimeline, S);
 * anything near this is an attack on the parser's stack or time. */
#define VSP_XML_MAX_DEPTH 64
/* Live playlist staleness, in target durations: players give up after 1.5x
 * (AVPlayer) to 3.5x (ExoPlayer). Overridable per probe. */
#define VSP_STALE_WARN_FACTOR 1.5
#define VSP_STALE_FAIL_FACTOR 3.0
/* An origin this many target durations behind the most advanced one is
 * lagging; below it, CDN playlist caching explains the difference. */
#define VSP_LAG_WARN_TDS 2.0
/* A segment delivered slower than real time (factor below this) makes
 * viewers rebuffer. */
#define VSP_SLOW_RTF 1.0
/* Time kept free after a live reload for the reload itself. */
#define VSP_RELOAD_MARGIN_S 0.5
/* Entries of an origin's declared ladder kept for comparing origins:
 * variants plus alternates of a master, Representations of an MPD. */
#define VSP_LADDER_MAX_ENTRIES (2 * VSP_MAX_RENDITIONS)
/* Two origins' BANDWIDTH for the same rendition may differ by this share
 * of the larger before they count as another ladder: packagers compute the
 * peak differently (per segment or over a window, with or without
 * container overhead, rounded), which moves it by up to ~15 %; a ladder
 * re-encoded at another rate moves it by a third or more. */
#define VSP_LADDER_BW_TOLERANCE 0.25
/* Two origins' VOD durations may differ by the larger of these before they
 * count as another asset: packagers round EXTINF (integers before HLS
 * version 3) and cut the last segment at a different frame; a re-edit or a
 * partial upload differs by whole segments. */
#define VSP_VOD_DURATION_TOL_S	   1.0
#define VSP_VOD_DURATION_TOL_RATIO 0.01

/* Bytes of one probe definition file. A probe with VSP_MAX_ORIGINS origins,
 * each with its headers and pins, fits in a few KB; 1 MB means a wrong file
 * (a results file, a video) was put in probes/, not a probe. */
#define VSP_PROBE_FILE_MAX_BYTES (1024L * 1024)
/* Probe files one `prober run` loads: every one is validated and held in
 * memory before anything runs, and a run holds one open lock file per probe
 * it runs until its records and state are on disk (file descriptors). */
#define VSP_MAX_PROBES 1000
/* Longest probe or origin name: names become lock file names and keys of
 * reports, so they are short and made of [A-Za-z0-9._-]. */
#define VSP_MAX_NAME 64
/* Worker threads of `prober run` (each check has its own origin and
 * rendition threads on top of these). */
#define VSP_MAX_JOBS 256
/* One record line `prober report` reads; a longer one is skipped as bad. */
#define VSP_RECORD_MAX_BYTES (64L * 1024 * 1024)
/* A declared RESOLUTION or @width/@height may be off the decoded size by
 * this many pixels: packagers round the display size (854 coded x
 * 1280:1281 is 853.33 shown) down, up or to the nearest. */
#define VSP_RESOLUTION_SLACK_PX 1.0

/* Segment sample (issue 11): the first segment is fetched whole and decoded;
 * the others chosen are checked with a ranged GET of their first bytes. This
 * many bytes tell a container apart (TS sync bytes every 188, an ISO BMFF
 * box, ADTS, ID3, EBML) and cost little: an origin that ignores the Range and
 * sends the whole segment is cut off here. */
#define VSP_SNIFF_MAX_BYTES (64L * 1024)
/* Segments checked per rendition by default: first, middle, last. */
#define VSP_DEFAULT_SEGMENTS 3
/* Most segments one rendition check touches, "all" included: a playlist of
 * 500 000 segments must not make a check longer or its record bigger than
 * this many entries; `prober run` rotates the sample to cover the rest. */
#define VSP_MAX_SEGMENT_CHECKS 1000
/* Bytes asked of a segment that just left a live playlist: whether it still
 * answers is the question, not what it holds. */
#define VSP_REMOVED_PROBE_BYTES 1024L
/* Time kept free after the sample for what follows (the live reloads). */
#define VSP_SAMPLE_MARGIN_S 0.5
/* Live: players start this many target durations behind the live edge
 * (hls.js liveSyncDurationCount = 3; AVPlayer likewise, RFC 8216 6.3.3
 * "at least three target durations from the end"). */
#define VSP_LIVE_START_TDS 3.0
/* dash.js without @suggestedPresentationDelay: 4 segment durations behind
 * the edge (PlaybackController.computeAndSetLiveDelay,
 * FRAGMENT_DURATION_FACTOR = 4). */
#define VSP_DASH_START_SEGMENTS 4.0

/* Segment integrity. Media short of its declared duration by more than the
 * larger of these is truncated (duration_mismatch): a player stalls or skips
 * the gap. Encoders and segmenters differ from EXTINF by a frame or an audio
 * packet (tens of ms), far below both. */
#define VSP_DURATION_SHORT_S	 0.5
#define VSP_DURATION_SHORT_RATIO 0.2
/* A timestamp step inside one segment larger than this many packet
 * durations, and than VSP_TS_JUMP_MIN_S, is a jump (corrupt_segment):
 * bytes of another time spliced in, or a lost stretch. */
#define VSP_TS_JUMP_PACKETS 10
#define VSP_TS_JUMP_MIN_S   0.5

/* headers_command and url_command (command.c): a token signer answers in
 * well under a second; one that takes longer than this, or than what is
 * left of the check, is a failed command. Its output is a few header lines
 * or one URL; more is a runaway program. Arguments of one command. */
#define VSP_COMMAND_TIMEOUT_S  10.0
#define VSP_COMMAND_OUTPUT_MAX (16 * 1024)
#define VSP_COMMAND_MAX_ARGS   32
/* Content checks (issue 13). Two pictures are the same when no cell of
 * their signature (content.h) differs by more than this many 8-bit luma
 * levels: coding noise averaged over a cell moves it by a level or less
 * (a still picture re-encoded, refined by the rate control), while a
 * scene that moves by a few pixels moves textured cells by far more. */
#define VSP_FROZEN_CELL_DIFF 3
/* Samples per cell side the signature reads at most: 4 x 4 per cell,
 * 9 216 per picture whatever its size. At 8 x 8 the measure was 16 % of a
 * default check's instructions on a 360p/240p/144p ladder (callgrind: 45 M
 * of 281 M for 45 pictures); at 4 x 4 it is 3 %, and a cell's mean over 16
 * samples still moves by far more than VSP_FROZEN_CELL_DIFF on a slow pan. */
#define VSP_CONTENT_CELL_SAMPLES 4
/* Thumbnails: width of the scaled-down first picture (height keeps the
 * display aspect), and bytes of one thumbnail path. */
#define VSP_THUMB_WIDTH	   320
#define VSP_THUMB_PATH_MAX 4096
/* Bytes of a body quoted in a message when it is neither media nor a
 * playlist: enough to tell an HTML error page, JSON or XML apart, too few
 * to carry a document from an internal URL into records. */
#define VSP_BODY_QUOTE_BYTES 16

/* Origins that serve other pictures (origin_mismatch "picture"): the
 * first pictures of the first VOD segment of a rendition pair differ when
 * more than VSP_PICTURE_MISMATCH_SHARE of their signature's cells differ
 * by more than VSP_PICTURE_MISMATCH_CELL_DIFF 8-bit levels. Measured on
 * 2 s ffmpeg-made clips of testsrc2, testsrc2 with noise, mandelbrot,
 * smptehdbars, each also 10 s later and at a fifth of the contrast,
 * encoded as x264 veryslow CRF 16 at 1280x720, x264 ultrafast 150 kb/s
 * and x265 300 kb/s at 640x360, x264 80 kb/s at 320x180, and starting 1
 * or 2 frames later: the same source in any two of these differs in at
 * most 9.5 % of the cells by more than 12 levels (16 % by more than 8,
 * 7.1 % by more than 16); two different sources in at least 33 % (the
 * two dim ones; 54 % by more than 8, 16 % by more than 16), the others in
 * 83 % or more. 12 levels and 20 % leave a factor of two to the same
 * source's worst and 1.7 to the closest different pair. A start 12
 * frames (0.5 s) later differs in up to 22 % (mandelbrot's zoom): a cut
 * half a second off warns. Not separable:
 * testsrc2 10 s later (its pattern is still; 8 % of cells move, as many
 * as a 2-frame offset), and noise-like sources (cellular automata) whose
 * every frame differs from the next. */
#define VSP_PICTURE_MISMATCH_CELL_DIFF 12
#define VSP_PICTURE_MISMATCH_SHARE     0.20
/* Decoded display aspects of a pair farther apart than this share are not
 * compared: a cell of one covers another part of the picture. */
#define VSP_PICTURE_MISMATCH_ASPECT_TOL 0.02

/* Issue 14: what one check may cost. Bytes a check holds at once (bodies
 * and parses, budget.h) unless --max-memory or max_memory_mb says
 * otherwise, and the most that may be asked. */
#define VSP_DEFAULT_MAX_MEMORY_MB 256
#define VSP_MAX_MEMORY_MB_MAX	  (64 * 1024)
/* A parser looks at the clock and reserves memory every this many lines
 * (HLS) or elements (MPD): a 16 MB playlist is ~500 000 lines, and a look
 * costs far less than parsing 1 000 lines. */
#define VSP_PARSE_CHECK_EVERY 1024
/* Bytes of parsed playlist per byte of playlist text, at most: a segment
 * entry (88 bytes) plus its URI for a 35-byte EXTINF/URI pair is 3.4x
 * (measured); 4 covers it. */
#define VSP_HLS_PARSED_PER_BYTE 4
/* Bytes of libxml2 tree per MPD element, at most: <S d="2000"/> costs an
 * element, an attribute, its text and the white space between (measured:
 * 560 bytes per 14-byte element, 40x the text). */
#define VSP_XML_ELEMENT_BYTES 640

/* References kept from one DASH sidx (SegmentBase), for the VOD sample:
 * 16384 are 9 hours of 2 s subsegments, 384 KiB parsed. A longer index is
 * still read whole for its extent (reference_count is 16 bits, bounded by
 * VSP_DASH_SIDX_MAX_BYTES too); the sample then spreads over the first
 * ones, with a note. */
#define VSP_DASH_SIDX_MAX_REFS 16384

#endif
