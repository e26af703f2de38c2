# shellcheck shell=bash
# shellcheck disable=SC2034 # FETCH_WHY: read by the callers
# Copies of the bucket's objects, for flash-image.sh and lib/builds.sh (sourced after common.sh).
# Everything in the bucket, or in a --source-dir laid out like it, is hostile: each object is
# copied once into a private directory of the caller (mode 0700), and only the copy is checked
# and used; the source is never opened again. A copy is refused when it exceeds its cap (the cap
# applies to the copy: a --source-dir file is also checked on the open file before), and a
# --source-dir file that is a symbolic link or not a regular file is refused unread.
#
# Settings (set by the caller): FETCH_SOURCE (a --source-dir, or empty for S3 through the aws
# CLI), FETCH_BUCKET, FETCH_REGION, FETCH_ENDPOINT (an S3-compatible endpoint, or empty).

FETCH_SOURCE='' FETCH_BUCKET='' FETCH_REGION='' FETCH_ENDPOINT=''

# fetch_where KEY: where KEY is read from, for messages.
fetch_where() {
  if [[ -n $FETCH_SOURCE ]]; then echo "$FETCH_SOURCE/$1"; else echo "s3://$FETCH_BUCKET/$1"; fi
}

# fetch_aws ARGS...: the aws CLI with the region and endpoint after ARGS.
fetch_aws() {
  local -a cmd=(aws "$@" --region "$FETCH_REGION")
  [[ -z $FETCH_ENDPOINT ]] || cmd+=(--endpoint-url "$FETCH_ENDPOINT")
  "${cmd[@]}"
}

# fetch_copy KEY DEST MAX: copies the object KEY to DEST (a new file), at most MAX bytes. Status
# 1 when KEY is absent or cannot be read, 2 when the copy is refused: it would exceed MAX bytes,
# or the --source-dir file is a symbolic link or not a regular file (no DEST is left behind);
# the reason in FETCH_WHY. A signal stops the copy at once (job_run; no command substitution,
# whose subshell would hold the signal until it ends).
FETCH_WHY=''
fetch_copy() {
  local key=$1 dest=$2 max=$3 status=0
  FETCH_WHY=''
  if [[ -z $FETCH_SOURCE ]]; then
    local -a aws=(aws s3 cp --region "$FETCH_REGION")
    [[ -z $FETCH_ENDPOINT ]] || aws+=(--endpoint-url "$FETCH_ENDPOINT")
    job_run "${aws[@]}" --only-show-errors "s3://$FETCH_BUCKET/$key" "$dest" >&2 ||
      { rm -f -- "$dest"; FETCH_WHY="download of $(fetch_where "$key") failed"; return 1; }
    if [[ -L $dest || ! -f $dest ]] || (($(stat -c %s "$dest") > max)); then
      rm -f -- "$dest"
      FETCH_WHY="$(fetch_where "$key") is larger than $max bytes, or not a file"
      return 2
    fi
    return 0
  fi
  job_run fetch_local "$FETCH_SOURCE/$key" "$dest" "$max" >"$dest.why" || status=$?
  FETCH_WHY=$(<"$dest.why")
  rm -f -- "$dest.why"
  ((status == 0)) || rm -f -- "$dest"
  return $((status > 2 ? 1 : status))
}

# fetch_local SRC DEST MAX: copies the regular file SRC to DEST, opened once without following
# a symbolic link (O_NOFOLLOW) nor blocking on a FIFO, its size checked on the open file before
# and on the copy after; in the kernel where it can (copy_file_range). Status 1 when SRC is
# absent or unreadable, 2 when refused (the reason on stdout).
fetch_local() {
  python3 - "$@" <<'PY'
import errno, os, stat, sys

src, dest, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
except OSError as e:
    if e.errno == errno.ELOOP:
        print(f"{src} is a symbolic link")
        sys.exit(2)
    print(f"cannot read {src}: {e.strerror}")
    sys.exit(1)
st = os.fstat(fd)
if not stat.S_ISREG(st.st_mode):
    print(f"{src} is not a regular file")
    sys.exit(2)
if st.st_size > limit:
    print(f"{src} holds {st.st_size} bytes, more than {limit}")
    sys.exit(2)
out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
copied, kernel = 0, True
while copied <= limit:
    want = min(limit + 1 - copied, 1 << 30)
    try:
        n = os.copy_file_range(fd, out, want) if kernel else os.write(out, os.read(fd, min(want, 1 << 20)))
    except OSError as e:
        if kernel and e.errno in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            kernel = False
            continue
        raise
    if n == 0:
        break
    copied += n
os.close(out)
if copied > limit:
    print(f"{src} grew past {limit} bytes while it was copied")
    sys.exit(2)
PY
}
