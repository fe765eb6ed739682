# origin.sh - local HLS origins for the integration tests and the demo.
#
# Sourced (POSIX sh) by tests/integration/run.sh and scripts/demo.sh. It makes
# media with the ffmpeg CLI at run time (nothing binary lives in git) and serves
# it with nginx on 127.0.0.1 only, with every file nginx writes kept under one
# prefix folder, so it runs as root or not, beside a system nginx or not.
#
#   origin_media_ts WWW        the 3-rendition MPEG-TS ladder only (demo)
#   origin_media_all WWW       every set below (tests)
#   origin_start PREFIX WWW [N]  nginx with N (1 or 2) ports; sets ORIGIN_PORT
#                              (and ORIGIN_PORT2); waits until it answers
#   origin_stop PREFIX         stops that nginx; safe to call twice
#   origin_dead_port           prints a 127.0.0.1 port nobody listens on
#
# Sets under WWW, each with master.m3u8:
#   ts        3 renditions (256x144, 426x240, 640x360), MPEG-TS, 1 s segments
#   fmp4      the same ladder in fragmented MP4 (EXT-X-MAP)
#   aes       2 renditions, AES-128, key at aes/enc.key
#   byterange 2 renditions, one file per rendition (EXT-X-BYTERANGE)
#   seg404    ts with v1/seg0.ts deleted
#   corrupt   ts with every v1 segment overwritten from byte 0 by random bytes
#             that hold no MPEG-TS (0x47) or MPEG audio (0xFF) sync byte, so no
#             demuxer can claim them: the result is not_media, every run
#   corrupt_mid ts with the second half of every v1 segment overwritten the
#             same way: must not crash the decoder, whatever it concludes
#   html200   ts with every v1 segment replaced by an HTML error page
#   master503 ts, but nginx answers 503 for its master.m3u8
#   mirror/   (nginx alias of ts) a second healthy path to the same stream
#   /healthz  204, what origin_start waits for
#
# Renditions v0, v1, v2 are in master order; the broken one is always v1.

# Kept short and small so the whole suite generates in a few seconds. The
# benchmark sets its own values before calling the functions.
: "${ORIGIN_SECONDS:=4}"
: "${ORIGIN_FPS:=25}"
: "${ORIGIN_SEGMENT_S:=1}"
: "${ORIGIN_CONNECTIONS:=256}"

# origin_ffmpeg_ladder OUTDIR N EXTRA...: encodes the first N renditions of
# the ladder into OUTDIR with the hls muxer; EXTRA are more hls options.
origin_ffmpeg_ladder() {
	_out=$1
	_n=$2
	shift 2
	case $_n in
	1)
		_fc="[0:v]scale=256:144[o0]"
		_map="-map [o0] -map 1:a"
		_vsm="v:0,a:0"
		;;
	2)
		_fc="[0:v]split=2[a][b];[a]scale=256:144[o0];[b]scale=426:240[o1]"
		_map="-map [o0] -map 1:a -map [o1] -map 1:a"
		_vsm="v:0,a:0 v:1,a:1"
		;;
	*)
		_fc="[0:v]split=3[a][b][c];[a]scale=256:144[o0];[b]scale=426:240[o1];[c]null[o2]"
		_map="-map [o0] -map 1:a -map [o1] -map 1:a -map [o2] -map 1:a"
		_vsm="v:0,a:0 v:1,a:1 v:2,a:2"
		;;
	esac
	mkdir -p "$_out"
	# A keyframe at every segment start (-g, no scene cuts) so every
	# segment starts with an IDR and decodes on its own, as a player needs.
	_gop=$((ORIGIN_FPS * ORIGIN_SEGMENT_S))
	# shellcheck disable=SC2086
	(cd "$_out" && ffmpeg -nostdin -hide_banner -loglevel error -y \
		-f lavfi -i "testsrc2=size=640x360:rate=$ORIGIN_FPS:duration=$ORIGIN_SECONDS" \
		-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$ORIGIN_SECONDS" \
		-filter_complex "$_fc" $_map \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p \
		-g "$_gop" -keyint_min "$_gop" -sc_threshold 0 \
		-b:v:0 150k -b:v:1 300k -b:v:2 600k \
		-c:a aac -b:a 64k -ac 2 \
		-f hls -hls_time "$ORIGIN_SEGMENT_S" -hls_playlist_type vod "$@" \
		-master_pl_name master.m3u8 -var_stream_map "$_vsm" \
		'v%v/index.m3u8')
	# The master is the contract the tests check against: without these
	# attributes the resolution and codec comparisons test nothing.
	for _attr in BANDWIDTH= RESOLUTION= CODECS=; do
		if ! grep -q "$_attr" "$_out/master.m3u8"; then
			echo "origin.sh: $_out/master.m3u8 lacks $_attr" >&2
			return 1
		fi
	done
}

origin_media_ts() {
	origin_ffmpeg_ladder "$1/ts" 3 -hls_segment_filename 'v%v/seg%d.ts'
}

# origin_scramble FILE OFFSET: overwrites FILE from OFFSET to its end with
# random bytes free of 0x47 and 0xFF, keeping its size.
origin_scramble() {
	_size=$(wc -c <"$1")
	_len=$((_size - $2))
	[ "$_len" -gt 0 ] || return 0
	LC_ALL=C tr -d '\107\377' </dev/urandom | head -c "$_len" |
		dd of="$1" bs=4096 seek="$2" oflag=seek_bytes conv=notrunc \
			2>/dev/null
}

origin_media_all() {
	_www=$1
	origin_media_ts "$_www"
	origin_ffmpeg_ladder "$_www/fmp4" 3 -hls_segment_type fmp4 \
		-hls_fmp4_init_filename init.mp4 \
		-hls_segment_filename 'v%v/seg%d.m4s'

	# The key info file names a local path: keep it out of the web root.
	mkdir -p "$_www/aes"
	head -c 16 /dev/urandom >"$_www/aes/enc.key"
	printf '../enc.key\n%s\n' "$_www/aes/enc.key" >"$_www/../aes.keyinfo"
	origin_ffmpeg_ladder "$_www/aes" 2 \
		-hls_key_info_file "$_www/../aes.keyinfo" \
		-hls_segment_filename 'v%v/seg%d.ts'

	origin_ffmpeg_ladder "$_www/byterange" 2 -hls_flags single_file \
		-hls_segment_filename 'v%v/media.ts'

	for _s in seg404 corrupt corrupt_mid html200 master503; do
		cp -R "$_www/ts" "$_www/$_s"
	done
	rm -f "$_www/seg404/v1/seg0.ts"
	for _f in "$_www"/corrupt/v1/*.ts; do
		origin_scramble "$_f" 0
	done
	for _f in "$_www"/corrupt_mid/v1/*.ts; do
		origin_scramble "$_f" $(($(wc -c <"$_f") / 2))
	done
	for _f in "$_www"/html200/v1/*.ts; do
		cat >"$_f" <<'EOF'
<!DOCTYPE html>
<html><head><title>Service Unavailable</title></head>
<body><h1>Oops</h1><p>The CDN could not reach the origin. Try again later.</p></body>
</html>
EOF
	done
}

# origin_random_port: a port in 20000-59999; collisions are retried by the
# caller, which is simpler and less racy than asking the kernel first.
origin_random_port() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + _r % 40000))
}

# origin_dead_port: a port where connecting is refused right now.
origin_dead_port() {
	_i=0
	while [ $_i -lt 20 ]; do
		_p=$(origin_random_port)
		_rc=0
		curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$_p/" || _rc=$?
		# 7: could not connect, i.e. refused: nothing listens there.
		if [ $_rc -eq 7 ]; then
			echo "$_p"
			return 0
		fi
		_i=$((_i + 1))
	done
	echo "origin.sh: no dead port found" >&2
	return 1
}

# origin_temp_paths: the temp-path directives of the modules this nginx was
# built with; their compiled-in defaults (/var/lib/nginx) are not writable by
# a non-root user and an unknown directive would stop nginx-light.
origin_temp_paths() {
	nginx -V 2>&1 | tr ' ' '\n' | sed -n 's/^--http-\([a-z-]*\)-temp-path=.*/\1/p' |
		while read -r _m; do
			case $_m in
			client-body) echo "client_body_temp_path $1/tmp/body;" ;;
			fastcgi | proxy | scgi | uwsgi) echo "${_m}_temp_path $1/tmp/$_m;" ;;
			esac
		done
}

# origin_conf PREFIX WWW PORT [PORT2]: writes PREFIX/nginx.conf. PORT serves
# WWW as is (plus the failure rules); PORT2, when given, serves the same
# files but answers 404 for every segment: a broken CDN for the demo.
origin_conf() {
	_pre=$1
	_root=$2
	{
		# Without it, as root, workers run as nobody and cannot read a
		# mktemp -d folder (mode 0700). As non-root it would only warn.
		[ "$(id -u)" -eq 0 ] && echo "user root root;"
		cat <<EOF
daemon on;
worker_processes 1;
pid $_pre/nginx.pid;
error_log $_pre/error.log warn;
events { worker_connections $ORIGIN_CONNECTIONS; }
http {
	access_log $_pre/access.log;
$(origin_temp_paths "$_pre" | sed 's/^/	/')
	types {
		application/vnd.apple.mpegurl m3u8;
		video/mp2t ts;
		video/mp4 mp4;
		video/iso.segment m4s;
		application/octet-stream key;
	}
	default_type application/octet-stream;
	sendfile on;
	keepalive_timeout 10;
	server {
		listen 127.0.0.1:$3;
		root $_root;
		location = /healthz { return 204; }
		location = /master503/master.m3u8 { return 503; }
		location /mirror/ { alias $_root/ts/; }
		# Connection options: a token header, a User-Agent, redirects.
		location /token/ {
			if (\$http_x_token != "s3cret") { return 403; }
			alias $_root/ts/;
		}
		location /ua/ {
			if (\$http_user_agent != "ProbeUA/1") { return 403; }
			alias $_root/ts/;
		}
		location = /redirect/master.m3u8 { return 302 /ts/master.m3u8; }
		location /loop/ { return 302 /loop/again; }
	}
EOF
		if [ -n "${ORIGIN_TLS_PORT:-}" ]; then
			cat <<EOF
	server {
		listen 127.0.0.1:$ORIGIN_TLS_PORT ssl;
		server_name cdn.test;
		ssl_certificate $_pre/cdn.test.pem;
		ssl_certificate_key $_pre/cdn.test.key;
		root $_root;
		location = /healthz { return 204; }
		location = /downgrade/master.m3u8 {
			return 302 http://127.0.0.1:$3/ts/master.m3u8;
		}
	}
EOF
		fi
		if [ -n "${4:-}" ]; then
			cat <<EOF
	server {
		listen 127.0.0.1:$4;
		root $_root;
		location = /healthz { return 204; }
		location ~ \\.(ts|m4s)\$ { return 404; }
	}
EOF
		fi
		echo "}"
	} >"$_pre/nginx.conf"
}

# origin_wait PORT: until our nginx answers /healthz there, 5 s at most.
origin_wait() {
	_i=0
	while [ $_i -lt 50 ]; do
		if curl -sf -o /dev/null --max-time 1 \
			"http://127.0.0.1:$1/healthz"; then
			return 0
		fi
		sleep 0.1 2>/dev/null || sleep 1
		_i=$((_i + 1))
	done
	echo "origin.sh: nginx on 127.0.0.1:$1 does not answer" >&2
	return 1
}

origin_start() {
	_pre=$1
	_root=$2
	_nports=${3:-1}
	# One nginx per prefix: a second one would share, then delete, its pid file.
	if [ -f "$_pre/nginx.pid" ]; then
		echo "origin.sh: nginx already running in $_pre" >&2
		return 1
	fi
	mkdir -p "$_pre/tmp"
	# A self-signed certificate for "cdn.test", so that TLS is tested for
	# real (verified with --cacert, refused without, -k).
	ORIGIN_TLS_PORT=""
	if command -v openssl >/dev/null 2>&1 &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
			-subj /CN=cdn.test -addext subjectAltName=DNS:cdn.test \
			-keyout "$_pre/cdn.test.key" -out "$_pre/cdn.test.pem" \
			>/dev/null 2>&1; then
		ORIGIN_TLS_PORT=pending
	fi
	_try=0
	while :; do
		ORIGIN_PORT=$(origin_random_port)
		ORIGIN_PORT2=""
		if [ -n "$ORIGIN_TLS_PORT" ]; then
			ORIGIN_TLS_PORT=$(origin_random_port)
			[ "$ORIGIN_TLS_PORT" != "$ORIGIN_PORT" ] || continue
		fi
		if [ "$_nports" -ge 2 ]; then
			ORIGIN_PORT2=$(origin_random_port)
			[ "$ORIGIN_PORT2" != "$ORIGIN_PORT" ] || continue
		fi
		origin_conf "$_pre" "$_root" "$ORIGIN_PORT" "$ORIGIN_PORT2"
		: >"$_pre/error.log"
		# -e: the early error log, before nginx.conf is read, would
		# otherwise go to /var/log/nginx.
		if nginx -p "$_pre/" -c "$_pre/nginx.conf" -e "$_pre/error.log" \
			2>"$_pre/start.log"; then
			break
		fi
		_try=$((_try + 1))
		if ! grep -q 'Address already in use' "$_pre/start.log" \
			"$_pre/error.log" || [ $_try -ge 10 ]; then
			echo "origin.sh: nginx did not start:" >&2
			cat "$_pre/start.log" "$_pre/error.log" >&2
			return 1
		fi
	done
	origin_wait "$ORIGIN_PORT" || {
		origin_stop "$_pre"
		return 1
	}
	if [ -n "$ORIGIN_PORT2" ]; then
		origin_wait "$ORIGIN_PORT2" || {
			origin_stop "$_pre"
			return 1
		}
	fi
	export ORIGIN_PORT ORIGIN_PORT2 ORIGIN_TLS_PORT
}

origin_stop() {
	_pf="$1/nginx.pid"
	[ -f "$_pf" ] || return 0
	_pid=$(cat "$_pf")
	[ -n "$_pid" ] || return 0
	kill -TERM "$_pid" 2>/dev/null || {
		rm -f "$_pf"
		return 0
	}
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1 2>/dev/null || sleep 1
		_i=$((_i + 1))
	done
	kill -KILL "$_pid" 2>/dev/null || :
	rm -f "$_pf"
}
