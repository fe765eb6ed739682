"""interop_dash.py - the DASH half of the corpus measure (scripts/interop-corpus.py).

For one corpus MPD: expand it the way a player does (BaseURL nesting, Period
timing, SegmentBase/SegmentList/SegmentTemplate inherited from the Period and
AdaptationSet, $Number$/$Time$ with @duration or SegmentTimeline, multi-Period)
with code of its own, not the prober's, then make with the ffmpeg CLI fMP4 media
that matches what each Representation declares (codecs, profile and level,
width/height/@sar, @frameRate, audio rate and channels), at every URL and byte
range the MPD addresses: init, media segments with their tfdt at the declared
media time, a real sidx at SegmentBase@indexRange, SegmentList mediaRanges in
one file. Regions are padded to their declared length with `free` boxes, which
every ISO BMFF reader skips.

prepare(src, www, base_url, stem) returns the MPD URL to check, or raises Skip
with the reason the stream cannot be made healthy here.
"""
import math, os, re, shutil, struct, subprocess, tempfile, time, urllib.parse
import xml.etree.ElementTree as ET


class Skip(Exception):
    pass


def _tag(e):
    return e.tag.rsplit("}", 1)[-1]


def _kids(e, name):
    return [c for c in e if _tag(c) == name] if e is not None else []


def _kid(e, name):
    k = _kids(e, name)
    return k[0] if k else None


def dur(s):
    """xs:duration (PnYnMnDTnHnMnS, no years or months in practice)."""
    if s is None:
        return None
    m = re.fullmatch(r"\s*P(?:0+Y)?(?:0+M)?(?:(\d+)D)?"
                     r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?\s*", s)
    if not m:
        raise Skip("duration %r not understood" % s)
    d, h, mi, se = (float(x or 0) for x in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + se


def ratio(s, default=None):
    if not s:
        return default
    if "/" in s:
        n, d = s.split("/")
        return float(n) / float(d)
    return float(s)


# ---- expansion -------------------------------------------------------------

def _seginfo(levels):
    """Merges the segment-information elements of Period, AdaptationSet and
    Representation (the nearest wins per attribute and per child)."""
    kind, attrs, kids = None, {}, {}
    for lv in levels:
        for k in ("SegmentBase", "SegmentList", "SegmentTemplate"):
            e = _kid(lv, k)
            if e is None:
                continue
            if kind and kind != k:
                attrs, kids = {}, {}
            kind = k
            attrs.update(e.attrib)
            for c in e:
                if _tag(c) == "SegmentURL":
                    kids.setdefault("_urls", [])
                    if kids.get("_urls_from") is not e:
                        kids["_urls"], kids["_urls_from"] = [], e
                    kids["_urls"].append(c)
                else:
                    kids[_tag(c)] = c
    return kind, attrs, kids


def _template(t, rep_id, bw, number=None, time=None):
    def sub(m):
        name, fmt = m.group(1), m.group(2)
        if name == "":
            return "$"
        v = {"RepresentationID": rep_id, "Bandwidth": bw,
             "Number": number, "Time": time}.get(name)
        if v is None:
            raise Skip("template identifier $%s$" % name)
        if fmt:
            return ("%" + fmt[1:]) % int(v)
        return str(v)
    return re.sub(r"\$(\w*)(%0\d+d)?\$", sub, t)


def _timeline(tl, ts, end_media):
    """(time, duration) in timescale units from a SegmentTimeline."""
    out, t = [], 0
    ss = _kids(tl, "S")
    for i, s in enumerate(ss):
        if "t" in s.attrib:
            t = int(s.get("t"))
        d, r = int(s.get("d")), int(s.get("r", "0"))
        if r < 0:
            nxt = int(ss[i + 1].get("t")) if i + 1 < len(ss) and "t" in ss[i + 1].attrib \
                else end_media
            if nxt is None:
                raise Skip("SegmentTimeline r=-1 with no end")
            r = math.ceil((nxt - t) / d) - 1
        for _ in range(r + 1):
            out.append((t, d))
            t += d
    return out


def parse(text):
    try:
        return ET.fromstring(text)
    except ET.ParseError as e:
        if "unbound prefix" not in str(e):
            raise
    # A prefix used but never declared (cenc:, mspr:, ...): libxml2 and
    # the lenient parsers of dash.js and Shaka read such MPDs; declare it.
    t = text.decode("utf-8", "replace")
    pre = set(re.findall(r"</?([A-Za-z_][\w.-]*):", t)) | \
        set(re.findall(r"\s([A-Za-z_][\w.-]*):[\w.-]+=", t))
    pre -= set(re.findall(r"xmlns:([\w.-]+)=", t)) | {"xmlns", "xml"}
    decl = "".join(' xmlns:%s="urn:undeclared:%s"' % (x, x) for x in sorted(pre))
    return ET.fromstring(re.sub(r"<MPD\b", "<MPD" + decl, t, count=1).encode())


# A live MPD is made honest by moving availabilityStartTime: the media of
# its newest listed segment ends now; @duration templates get LIVE_PAST_S of
# media before now and LIVE_AHEAD_S after (the check takes seconds).
LIVE_PAST_S, LIVE_AHEAD_S = 60, 60


def expand(text, mpd_url, live=False):
    root = parse(text)
    if _tag(root) != "MPD":
        raise Skip("not an MPD")
    mpd_dur = dur(root.get("mediaPresentationDuration"))
    periods = _kids(root, "Period")
    reps, start = [], 0.0
    for pi, p in enumerate(periods):
        start = dur(p.get("start")) if p.get("start") else start
        pdur = dur(p.get("duration"))
        if pdur is None:
            nxt = periods[pi + 1].get("start") if pi + 1 < len(periods) else None
            if nxt:
                pdur = dur(nxt) - start
            elif mpd_dur is not None:
                pdur = mpd_dur - start
            elif live:
                pdur = None
        base = mpd_url
        for lv in (root, p):
            b = _kid(lv, "BaseURL")
            if b is not None:
                base = urllib.parse.urljoin(base, b.text.strip())
        for a in _kids(p, "AdaptationSet"):
            abase = base
            b = _kid(a, "BaseURL")
            if b is not None:
                abase = urllib.parse.urljoin(abase, b.text.strip())
            for r in _kids(a, "Representation"):
                reps.append(_rep(root, p, a, r, abase, start, pdur))
                reps[-1]["period"] = pi
        start += pdur or 0
    return root, reps


def _attr(name, *levels):
    for lv in reversed(levels):
        if lv is not None and lv.get(name) is not None:
            return lv.get(name)
    return None


def _rep(root, p, a, r, base, pstart, pdur):
    b = _kid(r, "BaseURL")
    if b is not None:
        base = urllib.parse.urljoin(base, b.text.strip())
    ch = None
    for lv in (a, r):
        c = _kid(lv, "AudioChannelConfiguration")
        if c is not None:
            ch = c.get("value")
    rep = {
        "id": r.get("id"), "bandwidth": r.get("bandwidth"),
        "mime": _attr("mimeType", a, r) or "",
        "codecs": _attr("codecs", a, r) or "",
        "content_type": a.get("contentType") or "",
        "width": _attr("width", a, r), "height": _attr("height", a, r),
        "sar": _attr("sar", a, r), "frame_rate": _attr("frameRate", a, r),
        "rate": _attr("audioSamplingRate", a, r), "channels": ch,
        "protected": any(_kids(lv, "ContentProtection") for lv in (a, r)),
        "pstart": pstart, "pdur": pdur, "base": base,
    }
    try:
        _segments(rep, p, a, r, base, pdur)
    except Skip as e:
        rep["skip"], rep["init"], rep["segments"] = str(e), None, []
    return rep


def _segments(rep, p, a, r, base, pdur):
    kind, at, kids = _seginfo((p, a, r))
    ts = int(at.get("timescale", "1"))
    pto = int(at.get("presentationTimeOffset", "0"))
    rep.update(kind=kind, timescale=ts, pto=pto)
    end_media = pto + round(pdur * ts) if pdur is not None else None
    rid, bw = r.get("id"), r.get("bandwidth")
    init, segs = None, []
    if kind in (None, "SegmentBase"):
        ini = kids.get("Initialization")
        rng = ini.get("range") if ini is not None else None
        if ini is not None and ini.get("sourceURL"):
            raise Skip("SegmentBase Initialization@sourceURL")
        if "RepresentationIndex" in kids:
            raise Skip("SegmentBase RepresentationIndex")
        init = (base, rng)
        # No indexRange: an on-demand file whose sidx follows the init,
        # where players (dash.js, Shaka) look for it.
        rep["index"] = (base, at.get("indexRange"))
        if pdur is None:
            raise Skip("SegmentBase with no Period duration")
    elif kind == "SegmentList":
        ini = kids.get("Initialization")
        if ini is not None:
            init = (urllib.parse.urljoin(base, ini.get("sourceURL", "")), ini.get("range"))
        urls = kids.get("_urls", [])
        tl = kids.get("SegmentTimeline")
        times = _timeline(tl, ts, end_media) if tl is not None else \
            [(pto + i * int(at["duration"]), int(at["duration"])) for i in range(len(urls))]
        for (t, d), u in zip(times, urls):
            segs.append((urllib.parse.urljoin(base, u.get("media", "")),
                         u.get("mediaRange"), t, d))
    else:
        if "initialization" in at:
            init = (urllib.parse.urljoin(base, _template(at["initialization"], rid, bw)), None)
        ini = kids.get("Initialization")
        if init is None and ini is not None:
            init = (urllib.parse.urljoin(base, ini.get("sourceURL", "")), ini.get("range"))
        if "media" not in at:
            raise Skip("SegmentTemplate without @media")
        num0 = int(at.get("startNumber", "1"))
        tl = kids.get("SegmentTimeline")
        if tl is not None:
            times = _timeline(tl, ts, end_media)
        elif "duration" in at:
            d = int(at["duration"])
            n = math.ceil(round((pdur or LIVE_PAST_S + LIVE_AHEAD_S) * ts) / d - 1e-9)
            rep["live_duration"] = pdur is None
            times = [(pto + i * d, d) for i in range(n)]
        else:
            raise Skip("SegmentTemplate with neither SegmentTimeline nor @duration")
        for i, (t, d) in enumerate(times):
            segs.append((urllib.parse.urljoin(
                base, _template(at["media"], rid, bw, num0 + i, t)), None, t, d))
    rep["init"], rep["segments"] = init, segs


# ---- ISO BMFF --------------------------------------------------------------

def boxes(b, o=0, end=None):
    end = len(b) if end is None else end
    while o + 8 <= end:
        size, typ = struct.unpack(">I4s", b[o:o + 8])
        hdr = 8
        if size == 1:
            size, hdr = struct.unpack(">Q", b[o + 8:o + 16])[0], 16
        elif size == 0:
            size = end - o
        yield typ.decode("latin-1"), o, hdr, size
        o += size


def free(n):
    if n == 0:
        return b""
    if n < 8:
        raise ValueError("gap of %d bytes" % n)
    return struct.pack(">I4s", n, b"free") + b"\0" * (n - 8)


def split_mp4(b):
    """(init bytes, [(moof, mdat)], track timescale)"""
    init, frags, moof, ts = b"", [], None, None
    for typ, o, hdr, size in boxes(b):
        chunk = b[o:o + size]
        if typ in ("ftyp", "moov"):
            if typ == "moov":
                chunk = strip_udta(chunk)
                ts = mdhd_timescale(chunk)
            init += chunk
        elif typ == "moof":
            moof = chunk
        elif typ == "mdat":
            frags.append((moof, chunk))
    return init, frags, ts


def strip_udta(moov):
    body = b"".join(moov[o:o + s] for t, o, h, s in boxes(moov, 8) if t != "udta")
    return struct.pack(">I4s", 8 + len(body), b"moov") + body


def mdhd_timescale(moov):
    def find(b, o, end, path):
        for t, bo, h, s in boxes(b, o, end):
            if t == path[0]:
                if len(path) == 1:
                    return bo + h
                r = find(b, bo + h, bo + s, path[1:])
                if r is not None:
                    return r
        return None
    o = find(moov, 8, len(moov), ["trak", "mdia", "mdhd"])
    v = moov[o]
    return struct.unpack(">I", moov[o + (20 if v == 1 else 12):][:4])[0]


def retime(moof, seq, tfdt):
    """The fragment with mfhd sequence seq and tfdt tfdt (ffmpeg writes a
    version-1, 64-bit tfdt, so sizes and trun offsets stay as they are)."""
    b = bytearray(moof)
    for t, o, h, s in boxes(b, 8):
        if t == "mfhd":
            struct.pack_into(">I", b, o + 12, seq)
        if t == "traf":
            for t2, o2, h2, s2 in boxes(b, o + 8, o + s):
                if t2 == "tfdt":
                    if b[o2 + 8] != 1:
                        raise Skip("tfdt version 0")
                    struct.pack_into(">Q", b, o2 + 12, tfdt)
    return bytes(b)


def sidx(ts, ept, refs, first_offset, version=0):
    """refs: [(size, duration)], each starting with a SAP."""
    body = struct.pack(">I", 1) + struct.pack(">I", ts)
    if version == 0:
        body += struct.pack(">II", ept, first_offset)
    else:
        body += struct.pack(">QQ", ept, first_offset)
    body += struct.pack(">HH", 0, len(refs))
    for size, d in refs:
        body += struct.pack(">III", size & 0x7fffffff, d, 0x90000000)
    full = struct.pack(">B3s", version, b"\0\0\0") + body
    return struct.pack(">I4s", 8 + len(full), b"sidx") + full


# ---- media -----------------------------------------------------------------

PROFILES = {66: "baseline", 77: "main", 88: "main", 100: "high"}


def encode(rep, seconds, kbps, tmp):
    """One fMP4 (init + a fragment) of the given length, as rep declares."""
    c = rep["codecs"].split(",")[0].strip()
    out = os.path.join(tmp, "enc.mp4")
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    if re.match(r"avc[13]\.", c):
        w, h = int(rep["width"] or 320), int(rep["height"] or 180)
        fps = rep["frame_rate"] or "25"
        sar = rep["sar"] or "1:1"
        args += ["-f", "lavfi", "-i", "testsrc2=size=%dx%d:rate=%s:duration=%.6f"
                 % (w, h, fps, seconds),
                 "-vf", "setsar=%s" % sar.replace(":", "/"),
                 "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                 "-g", "100000", "-b:v", "%dk" % kbps, "-maxrate", "%dk" % kbps,
                 "-bufsize", "%dk" % (2 * kbps)]
        m = re.match(r"avc[13]\.([0-9a-fA-F]{2})[0-9a-fA-F]{2}([0-9a-fA-F]{2})$", c)
        if m:
            idc, lvl = int(m.group(1), 16), int(m.group(2), 16)
            args += ["-profile:v", PROFILES.get(idc, "high"),
                     "-level", "%d.%d" % (lvl // 10, lvl % 10)]
            if idc == 100:
                args += ["-x264-params", "cabac=1:8x8dct=1"]
            elif idc in (77, 88):
                args += ["-x264-params", "cabac=1"]
    elif c.startswith("mp4a.40."):
        rate = int(rep["rate"] or 48000)
        chans = int(rep["channels"] or 2)
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=%d:duration=%.6f"
                 % (rate, seconds), "-c:a", "aac", "-ac", str(chans),
                 "-b:a", "%dk" % kbps]
    else:
        raise Skip("codec %r not made here" % c)
    args += ["-fflags", "+bitexact", "-map_metadata", "-1",
             "-movflags", "+empty_moov+default_base_moof",
             "-frag_duration", "1000000000", "-f", "mp4", out]
    subprocess.run(args, check=True)
    init, frags, tts = split_mp4(open(out, "rb").read())
    if len(frags) != 1:
        raise Skip("ffmpeg made %d fragments" % len(frags))
    return init, frags[0], tts


_ENCODED = {}


class Media:
    """Encodes per distinct segment duration, once per set of declared
    attributes: Periods that repeat a Representation get the same bytes."""

    def __init__(self, rep, tmp, kbps):
        self.rep, self.tmp, self.kbps = rep, tmp, kbps
        key = tuple(rep[k] for k in ("codecs", "width", "height", "sar", "frame_rate",
                                     "rate", "channels")) + (kbps,)
        self.cache = _ENCODED.setdefault(key, {})
        self.init, self.tts = self.cache.get("init", (None, None))

    def ready(self):
        if self.init is None:
            self.fragment(1.0, 1, 0)
        return self.init

    def fragment(self, seconds, seq, media_t):
        key = round(seconds, 4)
        if key not in self.cache:
            init, frag, tts = encode(self.rep, seconds, self.kbps, self.tmp)
            if self.init is None:
                self.init, self.tts = init, tts
                self.cache["init"] = (init, tts)
            self.cache[key] = frag
        moof, mdat = self.cache[key]
        tfdt = round(media_t * self.tts / self.rep["timescale"])
        return retime(moof, seq, tfdt) + mdat


def _range(r):
    a, b = r.split("-")
    return int(a), int(b) + 1


def default_kbps(rep):
    if rep["codecs"].startswith("mp4a"):
        return 64
    w, h = int(rep["width"] or 320), int(rep["height"] or 180)
    return max(100, w * h // 4000)


def make(rep, files, tmp, kbps):
    """Adds this Representation's resources to files: url -> [(start, end, bytes)]
    (start None: the whole file)."""
    m = Media(rep, tmp, kbps)
    ts = rep["timescale"]
    if rep["kind"] in (None, "SegmentBase"):
        url, irng = rep["index"]
        if url in files:
            return  # the same file in another Period: made once
        if irng:
            i0, i1 = _range(irng)
        else:
            i0 = _range(rep["init"][1])[1] if rep["init"][1] else len(m.ready())
            i1 = i0 + 32 + 12 * max(1, math.ceil(rep["pdur"] / 2))
        n = min(max(1, math.ceil(rep["pdur"] / 2)), (i1 - i0 - 32) // 12)
        if n < 1:
            raise Skip("indexRange too short for a sidx")
        step = rep["pdur"] / n
        frags, t = [], rep["pto"]
        for k in range(n):
            d = round(step * ts)
            frags.append((m.fragment(d / ts, k + 1, t), d))
            t += d
        regs = []
        if rep["init"][1]:
            a, b = _range(rep["init"][1])
            regs.append((a, b, m.init))
        elif i0 > 0:
            regs.append((0, i0, m.init))
        ept = round(rep["pto"] * m.tts / ts)
        tail = max(b for a, b, x in regs + [(i0, i1, None)])
        refs = [(len(f), round(d * m.tts / ts)) for f, d in frags]
        sx = sidx(m.tts, ept, refs, tail - i1)
        regs.append((i0, i1, sx + free(i1 - i0 - len(sx))))
        regs.append((tail, None, b"".join(f for f, d in frags)))
        for a, b, x in regs:
            files.setdefault(url, []).append((a, b, x))
        return
    segs = rep["segments"]
    if not segs:
        raise Skip("a Representation with no segments")
    frags = [m.fragment(d / ts, k + 1, t) for k, (u, r, t, d) in enumerate(segs)]
    if rep["init"] is None:
        # Self-initialising segments: each carries its own moov.
        frags = [m.init + f for f in frags]
    else:
        add(files, rep["init"], m.init)
    for (u, r, t, d), f in zip(segs, frags):
        add(files, (u, r), f)


def add(files, where, data):
    """Adds a region; the same resource named twice (Periods that share an
    init or segments) must be the same bytes."""
    u, r = where
    a, b = _range(r) if r else (None, None)
    for x in files.get(u, []):
        if x[0] == a and x[1] == b:
            if x[2] != data:
                raise Skip("one URL, two different contents (%s)" % u)
            return
    files.setdefault(u, []).append((a, b, data))


def layout(regs):
    """One file's bytes from its regions, each padded to its declared length."""
    if len(regs) == 1 and regs[0][0] is None:
        return regs[0][2]
    if any(a is None for a, b, x in regs):
        raise Skip("one URL both whole and by byte range")
    regs = sorted(regs, key=lambda r: r[0])
    out = bytearray()
    for a, b, x in regs:
        if a < len(out):
            raise Skip("overlapping byte ranges")
        if len(out) == 0 and a >= 8 and x[4:8] == b"ftyp":
            # An init range after byte 0 holds the moov; the ftyp
            # goes before it, as packagers write it.
            fl = struct.unpack(">I", x[:4])[0]
            if a == fl or a >= fl + 8:
                out += x[:fl] + free(a - fl)
                x = x[fl:]
        out += free(a - len(out))
        if b is not None:
            if len(x) > b - a:
                raise TooBig(b - a, len(x))
            x = x + free(b - a - len(x))
        out += x
    return bytes(out)


class TooBig(Exception):
    pass


def prepare(src, www, base_url):
    text = open(src, "rb").read()
    root = parse(text)
    live = root.get("type", "static") == "dynamic"
    host = urllib.parse.urlsplit(base_url).netloc
    if live:
        # The clock: a time server off the origin would reach the network
        # and a direct one is a fixed date; without UTCTiming a player
        # uses its own clock, the true one here.
        text = re.sub(rb"<(\w+:)?UTCTiming\b[^>]*?(/>|>.*?</(\w+:)?UTCTiming>)", b"",
                      text, flags=re.S)
        root = parse(text)
    root, reps = expand(text, base_url, live)
    if live:
        if any(r.get("kind") in (None, "SegmentBase", "SegmentList") for r in reps):
            raise Skip("live SegmentBase/SegmentList not made here")
        if any(not r.get("live_duration") for r in reps):
            # The MPD served never changes: its timeline would not grow,
            # and players (and prober) rightly call that stalled.
            raise Skip("live SegmentTimeline: needs an MPD that grows")
        if root.get("availabilityStartTime") is None:
            raise Skip("dynamic MPD without availabilityStartTime")
        ends = [r["pstart"] + (r["segments"][-1][2] + r["segments"][-1][3] - r["pto"])
                / r["timescale"] for r in reps if r["segments"] and not r.get("live_duration")]
        ago = max(ends) if ends else LIVE_PAST_S
        ast = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - ago))
        text = re.sub(rb'availabilityStartTime="[^"]*"',
                      ('availabilityStartTime="%s"' % ast).encode(), text, count=1)
        # Just published, as a live packager's MPD is.
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        text = re.sub(rb'publishTime="[^"]*"', ('publishTime="%s"' % now).encode(),
                      text, count=1)
    if not reps:
        raise Skip("no Representation")
    av = []
    for r in reps:
        urls = [r["base"]] + ([r["init"][0]] if r.get("init") else [])
        urls += [s[0] for s in r["segments"]] + ([r["index"][0]] if "index" in r else [])
        if any(urllib.parse.urlsplit(u).netloc != host for u in urls):
            raise Skip("BaseURL off the origin")
        if r["protected"]:
            raise Skip("encrypted (ContentProtection)")
    for r in reps:
        kind = (r["content_type"] or r["mime"].split("/")[0])
        if kind in ("video", "audio"):
            if "webm" in r["mime"]:
                raise Skip("WebM not made here")
            c = r["codecs"].split(",")[0].strip()
            if not re.match(r"(avc[13]|mp4a\.40)\.", c):
                raise Skip("codec %r this FFmpeg cannot make as declared" % c)
            if "skip" in r:
                raise Skip(r["skip"])
            av.append(r)
        else:
            raise Skip("%s Representation (%s) not made here" % (kind or "untyped", r["mime"]))
    if not av:
        raise Skip("no audio or video")
    tmp = tempfile.mkdtemp(prefix="dash.", dir=os.path.dirname(www))
    _ENCODED.clear()
    try:
        # Byte ranges are fixed by the MPD: a rendition whose segments
        # do not fit is encoded again at a lower rate.
        for scale in (1.0, 0.3, 0.1, 0.03):
            files = {}
            for r in av:
                make(r, files, tmp, max(4, int(default_kbps(r) * scale)))
            try:
                out = {u: layout(regs) for u, regs in files.items()}
                break
            except TooBig as e:
                last = e
        else:
            raise Skip("declared byte range of %d bytes too small for media (%d)"
                       % last.args)
    finally:
        shutil.rmtree(tmp)
    path = urllib.parse.urlsplit(base_url).path
    for u, data in list(out.items()) + [(base_url, text)]:
        p = os.path.join(www, urllib.parse.urlsplit(u).path.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    return base_url
