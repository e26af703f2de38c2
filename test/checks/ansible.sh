#!/usr/bin/env bash
# External validators for ansible/: ansible-playbook --syntax-check of every playbook,
# ansible-lint (production profile, no rule skipped: ansible/.ansible-lint), and the real
# ansible-inventory --list of the generated production inventory compared with the model.
set -Eeuo pipefail
cd "$(git rev-parse --show-toplevel)"
export ANSIBLE_CONFIG=$PWD/ansible/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

for playbook in ansible/playbooks/*.yml; do
  ansible-playbook --syntax-check "$playbook" >/dev/null
  echo "ansible: syntax ok: $playbook"
done

# Run from ansible/ so that ansible-lint reads ansible/.ansible-lint and lints exactly that tree.
(cd ansible && ansible-lint --nocolor -q)
echo "ansible: ansible-lint clean (production profile, no skipped rule)"

npx tsx test/ansible/check-inventory.ts
