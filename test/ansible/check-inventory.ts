/**
 * `npx tsx test/ansible/check-inventory.ts [inventory]`: runs the real
 * `ansible-inventory --list` and fails unless it shows exactly the model's
 * nodes, groups and variables.
 */
import { join } from 'node:path';
import { ansibleInventoryList, inventoryMismatches } from './inventory-check';
import { loadRepoModel } from '../lib/model';

const inventory = process.argv[2] ?? join(__dirname, '../../ansible/inventories/production/hosts.yml');
const model = loadRepoModel();
const problems = inventoryMismatches(model, ansibleInventoryList(inventory));
if (problems.length > 0) {
  process.stderr.write(
    `ansible-inventory --list differs from the model:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `ansible-inventory --list: ${model.nodes.length} hosts, their groups and every variable match the model\n`,
);
