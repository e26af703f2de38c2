# shellcheck shell=bash
# The checks of a downloaded image-info.json, sourced by scripts/flash-image.sh (after
# lib/common.sh and lib/sparse-image.sh). The file is hostile until these pass: first the
# schema (image-info.schema.json, beside this file), by a real JSON Schema validator that
# only parses the file (python3-jsonschema); then the frame index against the block map.
# No value from the file reaches shell arithmetic or a command line before both.

IMAGE_INFO_SCHEMA=$(dirname "${BASH_SOURCE[0]}")/image-info.schema.json
readonly IMAGE_INFO_SCHEMA
# Larger than any real image-info.json (a frame index line is about 200 bytes).
readonly IMAGE_INFO_MAX_BYTES=$((64 * 1024 * 1024))

# image_info_validator_check: python3 and its jsonschema module are there (exit 69 if not).
image_info_validator_check() {
  require_cmd python3
  python3 -c 'import jsonschema' 2>/dev/null ||
    die "$EX_UNAVAILABLE" "missing the Python module jsonschema (Debian/Ubuntu: python3-jsonschema), which checks image-info.json"
}

# image_info_schema_check FILE: FILE is JSON that the schema accepts, without control
# characters in any string; else prints each finding (field and rule) and exits 65.
image_info_schema_check() {
  local file=$1 size findings
  size=$(stat -c %s "$file")
  ((size <= IMAGE_INFO_MAX_BYTES)) || die "$EX_DATAERR" "$file: $size bytes, more than any image-info.json ($IMAGE_INFO_MAX_BYTES)"
  findings=$(python3 - "$IMAGE_INFO_SCHEMA" "$file" <<'PY'
import json, sys
import jsonschema

def constant(name):
    raise ValueError(f"{name} is not a JSON number")

def where(path):
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)

def controls(node, path):
    """Strings (keys too) with control characters: never printed, never passed on."""
    if isinstance(node, str):
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in node):
            yield f"{where(path)}: contains a control character (rule: no control characters)"
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from controls(key, path + [key])
            yield from controls(value, path + [key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from controls(value, path + [i])

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
try:
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f, parse_constant=constant)
except (ValueError, UnicodeDecodeError, RecursionError) as e:
    print(f": not valid JSON: {str(e)[:200]}")
    sys.exit(1)
found = list(controls(doc, []))
if not found:
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    # e.message quotes the offending value with repr(): control characters come out escaped.
    found = [f"{where(e.absolute_path)}: {e.message[:200]} (rule: {e.validator})" for e in errors]
for line in found[:20]:
    print(line)
if len(found) > 20:
    print(f"... and {len(found) - 20} more")
sys.exit(1 if found else 0)
PY
  ) && return 0
  log "error: $file does not match the image-info.json schema ($(basename "$IMAGE_INFO_SCHEMA")):"
  printf '%s\n' "$findings" | sed "s/^/$LOG_PREFIX:   image-info.json/" >&2
  exit "$EX_DATAERR"
}

# image_info_frames INFO ZST BMAP: prints the data segments of INFO's frame index, one line
# each, "NUMBER RAW-OFFSET RAW-LENGTH OFFSET LENGTH SHA256" (NUMBER counts data segments
# from 1), after checking that the index is sound; prints nothing for an INFO without one.
# Sound: the segments tile the raw image (raw.bytes) and their frames tile ZST, both in
# order and without a gap or overlap; each data segment starts where a range of BMAP starts
# and ends where one ends; every range of BMAP lies inside a data segment. The schema check
# has run before (every number is an integer from 0 to 16 TiB, exact in awk).
image_info_frames() {
  local info=$1 zst=$2 bmap=$3 raw index
  raw=$(jq -r '.raw.bytes' "$info")
  index=$(jq -r '(.frames // [])[] | "\(.kind) \(.rawOffset) \(.rawLength) \(.offset) \(.length) \(.sha256 // "-")"' "$info") ||
    die "$EX_DATAERR" "$info: unreadable frame index"
  [[ -n $index ]] || return 0
  [[ $raw =~ ^[0-9]{1,14}$ ]] || die "$EX_DATAERR" "$info: raw.bytes is not a number"
  awk -v raw="$raw" -v zst="$(stat -c %s "$zst")" '
    function fail(msg) { print "image-info.json: " msg > "/dev/stderr"; bad = 1; exit 1 }
    function str(x) { return sprintf("%.0f", x) }
    FNR == NR {
      for (f = 2; f <= 5; f++) if ($f !~ /^[0-9]+$/) fail("frames[" FNR - 1 "]: field " f " is not a number")
      if ($2 != rend + 0) fail("frames[" FNR - 1 "].rawOffset is " $2 ", the previous segment ends at " str(rend) " (the segments must tile the raw image)")
      if ($4 != zend + 0) fail("frames[" FNR - 1 "].offset is " $4 ", the previous frames end at " str(zend) " (the frames must tile the image file)")
      rend = $2 + $3; zend = $4 + $5
      if ($1 == "data") { n++; s[n] = $2; e[n] = rend; line[n] = n " " $2 " " $3 " " $4 " " $5 " " $6; at[n] = FNR - 1 }
      next
    }
    # the block map ranges, "data OFFSET LENGTH" (sparse_segments with gap 0)
    {
      starts[str($2)] = 1; ends[str($2 + $3)] = 1
      while (i < n && e[i + 1] <= $2) i++
      if (i == n || s[i + 1] > $2 || $2 + $3 > e[i + 1]) fail("the block map range at " $2 " (" $3 " bytes) is not inside one data segment")
    }
    END {
      if (bad) exit 1
      if (rend != raw) fail("the segments end at " str(rend) ", the raw image (raw.bytes) at " raw)
      if (zend != zst) fail("the frames end at " str(zend) ", the image file is " zst " bytes")
      for (k = 1; k <= n; k++) {
        if (!(str(s[k]) in starts) || !(str(e[k]) in ends)) fail("frames[" at[k] "]: the data segment " str(s[k]) "-" str(e[k]) " does not start and end with ranges of the block map")
        print line[k]
      }
    }' <(printf '%s\n' "$index") <(sparse_segments "$bmap" 0 | grep '^data') ||
    die "$EX_DATAERR" "image-info.json: its frame index does not match $(basename "$zst") and $(basename "$bmap")"
}
