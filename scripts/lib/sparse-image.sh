# shellcheck shell=bash
# Sparse-image helpers, sourced by scripts/postprocess-image.sh and scripts/bench.sh
# (sparse_compress needs scripts/lib/common.sh for its progress lines).
#
# The idea: a raw disk image is mostly holes. Its block map (bmaptool's .bmap) says
# which byte ranges hold data. The compressed artifact is a concatenation of
# compressed frames (zstd, xz, gzip and lz4 all decode concatenated frames as one
# stream): one frame per data segment, read from the image, and for every hole
# ready-made frames of zeros, compressed once per power-of-two size. The compressor
# never reads a hole, yet the artifact decompresses to the exact raw image, so any
# tool that flashes a .zst (bmaptool, zstdcat | dd, ...) can write it.

# The project's compressor (chosen by measurement: `npx projen bench`, README "artifacts").
# --long=27 (a 128 MiB window) is the largest window a plain `zstd -d` accepts without
# --long/--memory flags, which is how bmaptool 3.6 runs it: larger windows are unflashable.
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly ARTIFACT_LEVEL=(-10 --long=27)
# shellcheck disable=SC2034
readonly ARTIFACT_COMPRESSOR=(zstd -q -T0 "${ARTIFACT_LEVEL[@]}" -c)
# shellcheck disable=SC2034
readonly ARTIFACT_EXTENSION=zst

# Holes shorter than this are compressed as data: a new frame per tiny hole would
# cost more (lost compression context, frame headers) than compressing the zeros.
readonly SPARSE_MERGE_GAP=$((1024 * 1024))
# Largest zero frame: holes are covered by repeats of it plus smaller powers of two.
readonly SPARSE_ZERO_FRAME_LOG2=28

# sparse_segments BMAP [GAP]: prints "data|zero OFFSET LENGTH" (bytes), in order,
# covering the whole image; holes shorter than GAP are folded into data segments.
sparse_segments() {
  local bmap=$1 gap=${2:-$SPARSE_MERGE_GAP}
  awk -v gap="$gap" '
    function num(s) { gsub(/[^0-9]/, "", s); return s + 0 }
    function emit(kind, off, len) { printf "%s %.0f %.0f\n", kind, off, len }
    /^[ \t]*<ImageSize>/ { size = num($0) }
    /^[ \t]*<BlockSize>/ { bs = num($0) }
    /^[ \t]*<Range[ >]/ {
      r = $0; sub(/^.*<Range[^>]*>/, "", r); sub(/<\/Range>.*$/, "", r); gsub(/[ \t]/, "", r)
      n = split(r, p, "-"); k++; first[k] = p[1]; last[k] = (n == 2 ? p[2] : p[1])
    }
    END {
      if (!size || !bs) { print "sparse_segments: no ImageSize/BlockSize in the bmap" > "/dev/stderr"; exit 1 }
      pos = 0; ds = -1
      for (i = 1; i <= k; i++) {
        s = first[i] * bs; e = (last[i] + 1) * bs; if (e > size) e = size
        if (ds >= 0 && s - de < gap) { de = e; continue }
        if (ds >= 0) { emit("data", ds, de - ds); pos = de }
        if (s > pos) emit("zero", pos, s - pos)
        ds = s; de = e
      }
      if (ds >= 0) { emit("data", ds, de - ds); pos = de }
      if (size > pos) emit("zero", pos, size - pos)
    }' "$bmap"
}

# sparse_read FILE OFFSET LENGTH: writes LENGTH bytes of FILE from OFFSET to stdout.
sparse_read() {
  dd if="$1" iflag=skip_bytes,count_bytes,fullblock skip="$2" count="$3" bs=4M status=none
}

# sparse_zero_frames CACHE-DIR LENGTH COMPRESSOR...: writes compressed frames that
# decompress to LENGTH zero bytes; each power-of-two frame is made once per CACHE-DIR.
sparse_zero_frames() {
  local dir=$1 len=$2 bit=$SPARSE_ZERO_FRAME_LOG2 size frame
  shift 2
  while ((len > 0)); do
    size=$((1 << bit))
    if ((len < size)); then
      bit=$((bit - 1))
      continue
    fi
    frame=$dir/zero-$bit
    [[ -s $frame ]] || head -c "$size" /dev/zero | "$@" >"$frame"
    cat "$frame"
    len=$((len - size))
  done
}

# sparse_sha256: the SHA-256 of stdin, in hex at the start of its output line. OpenSSL's
# when installed (it uses the CPU's SHA instructions: 3-4 times coreutils' speed here),
# else coreutils' sha256sum.
if command -v openssl >/dev/null; then
  sparse_sha256() { openssl dgst -sha256 -r; }
else
  sparse_sha256() { sha256sum; }
fi

# sparse_compress RAW BMAP OUT CACHE-DIR COMPRESSOR...: writes to OUT the
# concatenated frames that decompress to RAW, reading only its data segments.
# COMPRESSOR reads stdin and writes stdout (e.g. zstd -q -T0 -10 --long=27 -c).
# With SPARSE_INDEX set, writes there the frame index: a line per segment, in order,
# "data|zero RAW-OFFSET RAW-LENGTH OFFSET LENGTH SHA256" (its bytes in RAW, its frames in
# OUT, the SHA-256 of a data segment's bytes as they were compressed, "-" for a zero
# segment), with which a writer can decompress the data frames alone, leave the holes out
# and check every segment it writes. With SPARSE_PROGRESS set, a progress line (common.sh's
# progress_tenths) at every tenth of the data.
sparse_compress() {
  local raw=$1 bmap=$2 out=$3 dir=$4 kind off len done=0 total step=0 sum=- hasher=''
  shift 4
  total=$(sparse_segments "$bmap" | awk '$1 == "data" { n += $3 } END { printf "%.0f", n }')
  : >"$out"
  if [[ -n ${SPARSE_INDEX:-} ]]; then
    : >"$SPARSE_INDEX"
    # Each data segment is read once: tee hands it to sparse_sha256 through a FIFO.
    rm -f "$dir/hash.fifo" && mkfifo "$dir/hash.fifo"
  fi
  local at=0 end
  while read -r kind off len <&3; do
    if [[ $kind == data ]]; then
      if [[ -n ${SPARSE_INDEX:-} ]]; then
        sparse_sha256 <"$dir/hash.fifo" >"$dir/hash" &
        hasher=$!
        sparse_read "$raw" "$off" "$len" | tee "$dir/hash.fifo" | "$@" >>"$out"
        wait "$hasher"
        sum=$(cut -c1-64 "$dir/hash")
      else
        sparse_read "$raw" "$off" "$len" | "$@" >>"$out"
      fi
      done=$((done + len))
      [[ -z ${SPARSE_PROGRESS:-} ]] || progress_tenths step compressed "$done" "$total"
    else
      sparse_zero_frames "$dir" "$len" "$@" >>"$out"
      sum=-
    fi
    end=$(stat -c %s "$out")
    [[ -z ${SPARSE_INDEX:-} ]] || echo "$kind $off $len $at $((end - at)) $sum" >>"$SPARSE_INDEX"
    at=$end
  done 3< <(sparse_segments "$bmap")
}

# sparse_mapped_bytes BMAP: the bytes of data the bmap lists (its MappedBlocksCount).
sparse_mapped_bytes() {
  awk '
    function num(s) { gsub(/[^0-9]/, "", s); return s + 0 }
    /^[ \t]*<BlockSize>/ { bs = num($0) }
    /^[ \t]*<MappedBlocksCount>/ { n = num($0) }
    END { printf "%.0f\n", n * bs }' "$1"
}
