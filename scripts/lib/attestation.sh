# shellcheck shell=bash
# The GitHub artifact attestation of a build, for flash-image.sh (sourced after common.sh):
# an identity, not a shape. gh verifies the Sigstore bundle against a policy (the exact signer
# identity, the source ref, the predicate type, a GitHub-hosted runner) and prints what it
# verified as JSON; its exit code alone proves nothing (gh 2.49 to 2.66 exit 0 when no
# attestation has the predicate type: CVE-2025-25204), so the JSON is checked again here: the
# same identity, ref and predicate type, and the SHA-256 of the very copy that will be used.
#
# Settings (from generated/image-locations.json, the model's): ATT_REPOSITORY (owner/name),
# ATT_IDENTITY (the certificate's Subject Alternative Name: the image workflow on the model's
# branch), ATT_REF (refs/heads/<branch>), ATT_PREDICATE (SLSA provenance v1).

# The first gh that fails closed (CVE-2025-25204); older ones are refused as if there were no gh.
readonly GH_MIN_VERSION=2.67.0
# Fixed by GitHub, not by the model: the issuer of Actions' OIDC tokens, and the runner
# environment of a GitHub-hosted runner (gh's --deny-self-hosted-runners).
# Larger than any Sigstore bundle of one attestation (a few KiB).
# shellcheck disable=SC2034 # used by flash-image.sh
readonly BUNDLE_MAX_BYTES=$((1 << 20))
readonly GITHUB_OIDC_ISSUER=https://token.actions.githubusercontent.com GITHUB_HOSTED_RUNNER=github-hosted
ATT_REPOSITORY='' ATT_IDENTITY='' ATT_REF='' ATT_PREDICATE=''

# attestation_gh_problem: nothing when gh is GH_MIN_VERSION or later (read from `gh --version`),
# else what is wrong with it.
attestation_gh_problem() {
  local version
  command -v gh >/dev/null || { echo "the GitHub CLI (gh) is not installed"; return; }
  version=$(gh --version 2>/dev/null | sed -n '1s/^gh version \([0-9]\{1,4\}\.[0-9]\{1,4\}\.[0-9]\{1,4\}\)\([^0-9.].*\)\{0,1\}$/\1/p')
  [[ -n $version ]] || { echo "cannot read gh's version from 'gh --version'"; return; }
  [[ $(printf '%s\n' "$GH_MIN_VERSION" "$version" | sort -V | head -n 1) == "$GH_MIN_VERSION" ]] ||
    echo "gh $version can report a failed verification as a success (CVE-2025-25204; fixed in gh $GH_MIN_VERSION)"
}

# attestation_verify FILE BUNDLE OUT: gh attestation verify of FILE against BUNDLE, with the
# model's policy; its JSON result in OUT, its messages in OUT.log. Status: gh's.
attestation_verify() {
  local file=$1 bundle=$2 out=$3
  job_run gh attestation verify "$file" --bundle "$bundle" --repo "$ATT_REPOSITORY" \
    --cert-identity "$ATT_IDENTITY" --source-ref "$ATT_REF" --predicate-type "$ATT_PREDICATE" \
    --deny-self-hosted-runners --format json >"$out" 2>"$out.log"
}

# attestation_check RESULT NAME SHA256: what is wrong with gh's JSON RESULT (its first attestation
# that is wrong), or nothing:
# every verified attestation must have the model's predicate type and signer identity (Subject
# Alternative Name and build signer URI), source ref and repository, GitHub's OIDC issuer and a
# GitHub-hosted runner, and one of them must name NAME with SHA256 among its subjects. Values
# read from RESULT are quoted as JSON (no control character reaches the terminal).
attestation_check() {
  jq -rs --arg pred "$ATT_PREDICATE" --arg id "$ATT_IDENTITY" --arg ref "$ATT_REF" \
    --arg repo "https://github.com/$ATT_REPOSITORY" --arg issuer "$GITHUB_OIDC_ISSUER" \
    --arg runner "$GITHUB_HOSTED_RUNNER" --arg name "$2" --arg sha "$3" '
    def want($what; $got; $expected): if $got == $expected then empty else "\($what) is \($got | tojson | .[0:200]), not \($expected | tojson)" end;
    def problems: .verificationResult as $r | ($r.signature.certificate // {}) as $c
      | want("statement.predicateType"; $r.statement.predicateType; $pred),
        want("certificate.subjectAlternativeName"; $c.subjectAlternativeName; $id),
        want("certificate.buildSignerURI"; $c.buildSignerURI; $id),
        want("certificate.sourceRepositoryRef"; $c.sourceRepositoryRef; $ref),
        want("certificate.sourceRepositoryURI"; $c.sourceRepositoryURI; $repo),
        want("certificate.issuer"; $c.issuer; $issuer),
        want("certificate.runnerEnvironment"; $c.runnerEnvironment; $runner);
    def names_subject: any(.verificationResult.statement.subject[]?; .name == $name and .digest.sha256 == $sha);
    if length != 1 then "gh printed no verification result (a gh that fails open prints none)"
    elif (.[0] | type != "array" or length == 0) then "gh printed no verified attestation"
    else .[0] as $all | ([$all[] | [try problems catch "not a verification result"] | select(length > 0) | join("; ")] | first) // (
      if any($all[]; try names_subject catch false) then empty
      else "no verified attestation names \($name) with SHA-256 \($sha)" end)
    end' "$1" 2>/dev/null || echo "gh printed no JSON"
}
