#!/usr/bin/env python3
"""interop-corpus.py - the corpus measure of issue #19: every corpus HLS
master playlist whose media can be synthesised gets media made by the ffmpeg
CLI to match what it declares (size, H.264 profile and level, frame rate,
audio), the way a packager would make it: an odd declared width is coded at
the next even width with the pixel aspect ratio that shows the declared size.
The playlist is served unchanged by nginx on 127.0.0.1; each PROBER given
checks it. Prints, per prober, how many of these healthy-by-construction
streams get anything but `pass`.

  python3 scripts/interop-corpus.py PROBER [PROBER...]

Skipped (named on stderr): masters with URIs off the origin (they would
reach the network), encrypted ones, and video other than H.264.

Every corpus MPD goes the same way through interop_dash.py (beside this
script): static MPDs whose BaseURLs stay on the origin, clear, H.264/AAC in
fMP4, get init and media at every URL and byte range they address (see that
file); the rest are skipped with the reason named.
"""
import json, os, re, shutil, subprocess, sys, tempfile, urllib.parse
import xml.etree.ElementTree as ET

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(here, "tests", "corpus", "hls")
probers = sys.argv[1:]
if not probers:
    sys.exit(__doc__)
tmp = tempfile.mkdtemp(prefix="prober-corpus.")
www = os.path.join(tmp, "www")
os.makedirs(www)

def sh(script, env=None):
    return subprocess.run(["sh", "-c", script], env=env, check=True,
                          capture_output=True, text=True).stdout

port = sh(". %s/scripts/origin.sh; origin_start %s/nginx %s >&2; echo $ORIGIN_PORT"
          % (here, tmp, www)).strip()
base = "http://127.0.0.1:%s" % port

def ff(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                    "-y"] + list(args), check=True)

PROFILES = {66: "baseline", 77: "main", 100: "high"}

def video(path, codecs, res, fps, audio):
    w, h = (320, 180)
    if res:
        w, h = (int(x) for x in res.lower().split("x"))
    cw, ch = w + (w % 2), h + (h % 2)
    vf = "scale=%d:%d,setsar=%d/%d" % (cw, ch, w * ch, cw * h)
    args = ["-f", "lavfi", "-i", "testsrc2=size=%dx%d:rate=%s:duration=1"
            % (cw, ch, fps or 25)]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=sample_rate=48000:duration=1"]
    args += ["-vf", vf, "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", "-g", "300"]
    m = re.search(r"avc[13]\.([0-9a-fA-F]{2})[0-9a-fA-F]{2}([0-9a-fA-F]{2})",
                  codecs or "")
    if m:
        idc, lvl = int(m.group(1), 16), int(m.group(2), 16)
        args += ["-profile:v", PROFILES.get(idc, "high"),
                 "-level", "%d.%d" % (lvl // 10, lvl % 10)]
        if idc == 100:  # ultrafast drops to Constrained Baseline otherwise
            args += ["-x264-params", "cabac=1:8x8dct=1"]
        elif idc == 77:
            args += ["-x264-params", "cabac=1"]
    if audio:
        args += ["-c:a", "aac", "-ac", "2"]
    ff(*args, "-f", "mpegts", path)

def audio_only(path):
    ff("-f", "lavfi", "-i", "sine=sample_rate=48000:duration=1",
       "-c:a", "aac", "-ac", "2", "-f", "mpegts", path)

def playlist(url, make):
    p = urllib.parse.urlsplit(url).path
    d = os.path.join(www, os.path.dirname(p).lstrip("/"))
    os.makedirs(d, exist_ok=True)
    seg = os.path.basename(p) + ".seg.ts"
    make(os.path.join(d, seg))
    with open(os.path.join(www, p.lstrip("/")), "w") as f:
        f.write("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n"
                "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:1.0,\n%s\n"
                "#EXT-X-ENDLIST\n" % seg)

streams, skipped = [], []
for name in sorted(os.listdir(corpus)):
    if not name.startswith("master-"):
        continue
    src = os.path.join(corpus, name)
    stem = name[:-5]
    url = "%s/%s/master.m3u8" % (base, stem)
    out = subprocess.run([probers[-1], "manifest", src, "--base", url],
                         capture_output=True, text=True)
    if out.returncode != 0:
        skipped.append((name, "does not parse")); continue
    m = json.loads(out.stdout)
    text = open(src, encoding="utf-8", errors="replace").read()
    uris = [v["uri"] for v in m["variants"]] + \
           [x["uri"] for x in m["media"] if x.get("uri") and x["type"] in ("AUDIO", "VIDEO")]
    if any(not u.startswith(base + "/") for u in uris):
        skipped.append((name, "URIs off the origin")); continue
    if not text.startswith("#EXTM3U"):
        # hls.js and Safari refuse it too ("no EXTM3U delimiter").
        skipped.append((name, "does not start with #EXTM3U")); continue
    if "METHOD=" in text or "SESSION-KEY" in text:
        skipped.append((name, "encrypted")); continue
    vcodecs = [c.strip() for v in m["variants"] for c in (v["codecs"] or "").split(",")]
    if any(c and not re.match(r"(avc[13]|mp4a)\.", c) for c in vcodecs):
        skipped.append((name, "codec other than H.264/AAC")); continue
    os.makedirs(os.path.join(www, stem), exist_ok=True)
    shutil.copy(src, os.path.join(www, stem, "master.m3u8"))
    done = set()
    groups = {x["group_id"] for x in m["media"] if x.get("uri") and x["type"] == "AUDIO"}
    for x in m["media"]:
        if x.get("uri") and x["type"] == "AUDIO" and x["uri"] not in done:
            done.add(x["uri"]); playlist(x["uri"], audio_only)
    for v in m["variants"]:
        for x in m["media"]:
            # A VIDEO group's renditions are made like the variant.
            if (x.get("uri") and x["type"] == "VIDEO" and
                    x["group_id"] == v["video"] and x["uri"] not in done):
                done.add(x["uri"])
                playlist(x["uri"], lambda p, v=v: video(
                    p, v["codecs"], v["resolution"], v["frame_rate"], False))
        if v["uri"] in done:
            continue
        done.add(v["uri"])
        muxed = "mp4a" in (v["codecs"] or "mp4a") and v["audio"] not in groups
        if v["codecs"] and not re.search(r"avc[13]\.", v["codecs"]):
            playlist(v["uri"], audio_only); continue
        playlist(v["uri"], lambda p, v=v, muxed=muxed: video(
            p, v["codecs"], v["resolution"], v["frame_rate"], muxed))
    streams.append((name, url))

# DASH: every corpus MPD, media made by interop_dash.py.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_dash
dash = os.path.join(here, "tests", "corpus", "dash")
for name in sorted(os.listdir(dash)):
    url = "%s/dash-%s/manifest.mpd" % (base, name[:-4])
    try:
        interop_dash.prepare(os.path.join(dash, name), www, url)
    except (interop_dash.Skip, ET.ParseError, ValueError) as e:
        skipped.append((name, str(e) or type(e).__name__)); continue
    streams.append((name, url))

for name, why in skipped:
    print("skipped %s: %s" % (name, why), file=sys.stderr)
for pr in probers:
    bad, n = [], {"hls": 0, "dash": 0}
    for name, url in streams:
        n["dash" if name.endswith(".mpd") else "hls"] += 1
        r = subprocess.run([pr, "check", "--json", "--timeout", "20", url],
                           capture_output=True, text=True)
        doc = json.loads(r.stdout)
        if doc["status"] != "pass":
            bad.append((name, doc["status"], doc["reason"], doc["message"]))
    nd = sum(1 for b in bad if b[0].endswith(".mpd"))
    print("%s: %d of %d healthy corpus streams not pass (HLS %d of %d, DASH %d of %d)"
          % (pr, len(bad), len(streams), len(bad) - nd, n["hls"], nd, n["dash"]))
    for b in bad:
        print("  %s: %s %s: %s" % b)
sh(". %s/scripts/origin.sh; origin_stop %s/nginx" % (here, tmp))
shutil.rmtree(tmp)
