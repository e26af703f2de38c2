# shellcheck shell=bash
# shellcheck disable=SC2154 # scratch: the sourcing check's
# The stand-ins of the flashing checks (test/checks/image-artifacts.sh, flash-trust.sh): GitHub
# and AWS are not reachable here. Source it from the repository's root after setting $scratch:
#
#   standins_init BUCKET-DIR   the STAND-INs of test/checks/standins/ first on PATH: gh (gh's
#                              policy and JSON output, on stand-in bundles), aws (s3 cp and
#                              list-objects-v2 from BUCKET-DIR, the model's bucket name); a
#                              stand-in Sigstore trust root; their logs $scratch/gh.log, aws.log
#   attest DIR [OPTIONS]       the stand-in bundle of DIR's three attested files, as a run of the
#                              model's image workflow on the model's branch, GitHub-hosted, makes
#                              it; OPTIONS (attest's) make another signer: --ref, --workflow,
#                              --runner, --predicate-type, --repository
#
# Every expected value comes from generated/image-locations.json (the model's), none is written here.

readonly STANDINS=$PWD/test/checks/standins LOC=$PWD/generated/image-locations.json

standins_init() {
  export GH_STANDIN_TRUST=$scratch/sigstore-trust.key GH_STANDIN_LOG=$scratch/gh.log
  export AWS_STANDIN_ROOT=$1 AWS_STANDIN_LOG=$scratch/aws.log
  AWS_STANDIN_BUCKET=$(jq -r .bucket "$LOC")
  export AWS_STANDIN_BUCKET
  head -c 32 /dev/urandom >"$GH_STANDIN_TRUST"
  export PATH=$STANDINS:$PATH
}

# The model's signer, split as the attest stand-in takes it.
att_repository() { jq -r .attestation.repository "$LOC"; }
att_ref() { jq -r .attestation.sourceRef "$LOC"; }
att_identity() { jq -r .attestation.signerIdentity "$LOC"; }
att_workflow() {
  local id
  id=$(att_identity)
  id=${id#"https://github.com/$(att_repository)/"}
  echo "${id%"@$(att_ref)"}"
}

attest() {
  local dir=$1
  shift
  "$STANDINS/attest" --key "$GH_STANDIN_TRUST" --out "$dir/$(jq -r .attestation.bundle "$LOC")" \
    --repository "$(att_repository)" --workflow "$(att_workflow)" --ref "$(att_ref)" \
    --predicate-type "$(jq -r .attestation.predicateType "$LOC")" "$@" \
    "$dir"/*.img.zst "$dir"/*.img.bmap "$dir/image-info.json"
}
