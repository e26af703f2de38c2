# shellcheck shell=bash
# shellcheck disable=SC2034 # FETCH_WHY: read by the callers
# Copies of the bucket's objects, for flash-image.sh and lib/builds.sh (sourced after common.sh).
# Everything in the bucket, or in a --source-dir laid out like it, is hostile: each object is
# copied once into a private directory of the caller (mode 0700), and only the copy is checked
# and used; the source is never opened again. A copy is refused when it exceeds its cap (the cap
# applies to the copy; a --source-dir file's size is also checked before), and a --source-dir
# file that is a symbolic link or not a regular file is refused unread.
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

# fetch_local SRC DEST MAX: copies the regular file SRC to DEST, at most MAX + 1 bytes read
# (GNU dd: opened once, O_NOFOLLOW so that a symbolic link swapped in after the checks fails the
# open, O_NONBLOCK so that a FIFO cannot block it); its size is checked before, and the cap
# again on the copy.
# Status 1 when SRC is absent or unreadable, 2 when refused (the reason on stdout).
fetch_local() {
  local src=$1 dest=$2 max=$3 size
  if [[ -L $src ]]; then echo "$src is a symbolic link"; return 2; fi
  [[ -e $src ]] || { echo "not found: $src"; return 1; }
  if [[ ! -f $src ]]; then echo "$src is not a regular file"; return 2; fi
  size=$(stat -c %s "$src")
  if ((size > max)); then echo "$src holds $size bytes, more than $max"; return 2; fi
  (umask 077 && dd if="$src" of="$dest" iflag=nofollow,nonblock,count_bytes count=$((max + 1)) bs=4M status=none 2>"$dest.err") ||
    { echo "cannot read $src: $(tail -n 1 "$dest.err" | cut -c1-200)"; rm -f -- "$dest.err"; return 2; }
  rm -f -- "$dest.err"
  size=$(stat -c %s "$dest")
  if ((size > max)); then echo "$src grew past $max bytes while it was copied"; return 2; fi
}
