# shellcheck shell=bash
# shellcheck disable=SC2154 # work: flash-image.sh's private directory
# The writers of flash-image.sh (sourced after common.sh, sparse-image.sh and image-info.sh):
# the frame writer (only the data segments of the frame index, each checked against its SHA-256
# while it is written) and bmaptool. They read only the private, verified copies in $work. Each
# write runs as a job (common.sh's job_run): a signal stops it at once, and the EXIT trap stops
# the whole pipeline before the target is removed.

# progress PID TOTAL: prints how much of TOTAL bytes PID has written, every few seconds.
progress() {
  local pid=$1 total=$2 written last=-1
  while sleep "${LOLICE_FLASH_PROGRESS_SECONDS:-5}" && kill -0 "$pid" 2>/dev/null; do
    written=$(awk '$1 == "wchar:" { print $2 }' "/proc/$pid/io" 2>/dev/null) || break
    ((written != last)) || continue
    last=$written
    progress_line written "$written" "$total"
  done
}

# segment_pipeline ZST TARGET RAW-OFFSET RAW-LENGTH OFFSET LENGTH: the job of one segment:
# LENGTH bytes at OFFSET in ZST decompressed and written at RAW-OFFSET in TARGET, at most
# RAW-LENGTH bytes, hashed as they are written; the pipeline's statuses in $work/pipestatus.
segment_pipeline() {
  local zst=$1 target=$2 roff=$3 rlen=$4 off=$5 len=$6 hasher
  local -a piped=(0 0 0 0)
  sparse_sha256 <"$work/hash.fifo" >"$work/hash" &
  hasher=$!
  dd if="$zst" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=4M status=none |
    zstd -dcq 2>"$work/zstd.log" |
    tee "$work/hash.fifo" |
    { LC_ALL=C dd of="$target" conv=notrunc oflag=seek_bytes seek="$roff" iflag=fullblock,count_bytes \
      count="$rlen" "${out[@]}" 2>"$work/dd.log" && wc -c >"$work/extra"; } || piped=("${PIPESTATUS[@]}")
  wait "$hasher" || true
  echo "${piped[*]}" >"$work/pipestatus"
}

# segment_write ZST TARGET N TOTAL RAW-OFFSET RAW-LENGTH OFFSET LENGTH SHA256: writes data segment
# N (segment_pipeline), then checks: the frames decompress (else the artifact is corrupt), to
# exactly RAW-LENGTH bytes, whose SHA-256 is SHA256; any failure ends the flash here, before the
# next segment.
segment_write() {
  local zst=$1 target=$2 n=$3 count=$4 roff=$5 rlen=$6 off=$7 len=$8 sha=$9 got extra sum
  local what="segment $n of $count (raw offset $roff, $rlen bytes)" image
  local -a piped
  image=$(basename "$zst")
  job_run segment_pipeline "$zst" "$target" "$roff" "$rlen" "$off" "$len"
  read -r -a piped <"$work/pipestatus"
  ((piped[0] == 0)) || die "$EX_IOERR" "reading the copy of $image failed at $what"
  ((piped[3] == 0)) || die "$EX_IOERR" "writing $target failed at $what: $(tail -n 1 "$work/dd.log")"
  ((piped[1] == 0)) ||
    die "$EX_DATAERR" "corrupt artifact $image: the frames of $what do not decompress ($(tail -n 1 "$work/zstd.log")); nothing after it was written"
  # GNU dd: "N bytes (...) copied" or "1 byte copied".
  got=$(awk '$2 ~ /^bytes?$/ && /copied/ { print $1 }' "$work/dd.log") extra=$(<"$work/extra") sum=$(cut -c1-64 "$work/hash")
  [[ $got == "$rlen" && $extra == 0 ]] ||
    die "$EX_DATAERR" "$what: its frames hold $((${got:-0} + ${extra:-0})) bytes, not $rlen; stopped before the next segment"
  [[ $sum == "$sha" ]] ||
    die "$EX_DATAERR" "$what: SHA-256 $sum of what was written is not $sha (image-info.json); stopped before the next segment"
}

# frames_write ZST TARGET INDEX: the project's writer: for each data segment of INDEX (lines of
# image_info_frames), its frames alone are decompressed and written at its offset in TARGET,
# checked by segment_write; holes are neither read, decompressed nor written. Progress every tenth.
frames_write() {
  # shellcheck disable=SC2034 # step: progress_tenths's counter, passed by name
  local zst=$1 target=$2 index=$3 total count n roff rlen off len sha done=0 step=0
  total=$(awk '{ n += $3 } END { printf "%.0f", n }' <<<"$index")
  count=$(wc -l <<<"$index")
  # A segment includes the block map's short holes (postprocess folds holes under 1 MiB into
  # data): to a new file they are left as holes (dd skips all-zero 64 KiB blocks); a disk gets
  # them written as zeros, as it must any zero block the block map lists.
  out=(bs=4M)
  [[ -b $target ]] || out=(ibs=4M obs=64K conv=sparse)
  mkfifo "$work/hash.fifo"
  while read -r n roff rlen off len sha; do
    segment_write "$zst" "$target" "$n" "$count" "$roff" "$rlen" "$off" "$len" "$sha"
    done=$((done + rlen))
    progress_tenths step written "$done" "$total" "each segment's SHA-256 checked"
  done <<<"$index"
}

# bmap_pipeline BMAP ZST TARGET TOTAL: the job of bmaptool copy, with progress lines.
bmap_pipeline() {
  local pid monitor status=0
  # bmaptool's own percentage needs stdout on a terminal; progress() reports instead.
  bmaptool copy --bmap "$1" "$2" "$3" >/dev/null &
  pid=$!
  progress "$pid" "$4" &
  monitor=$!
  wait "$pid" || status=$?
  kill "$monitor" 2>/dev/null || true
  return "$status"
}

# bmap_write BMAP ZST TARGET TOTAL: bmaptool, which re-hashes every range against BMAP while it
# writes (and decompresses the whole image).
bmap_write() {
  local status=0
  job_run bmap_pipeline "$@" || status=$?
  ((status == 0)) || die "$EX_IOERR" "bmaptool failed (exit $status; a checksum mismatch is named above): $3 is only partly written"
}
