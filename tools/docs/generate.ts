/** `npm run docs`: regenerates what the catalog and the default config decide in docs/alerts.md and runbooks/. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../../config';
import { ALERTS } from '../../lib/core/catalog';
import { parseConfig } from '../../lib/core/config/load';
import { withAlertTable } from './alert-table';
import { withEscalation } from './runbook-escalation';

const root = join(__dirname, '..');
const update = (path: string, render: (text: string) => string) => writeFileSync(path, render(readFileSync(path, 'utf8')));

update(join(root, 'docs', 'alerts.md'), withAlertTable);
const config = parseConfig('default', ENVIRONMENTS.default);
for (const alert of ALERTS) update(join(root, 'runbooks', `${alert.id}.md`), (page) => withEscalation(page, alert, config));
console.log(`updated the alert table in docs/alerts.md and the Escalation section of ${ALERTS.length} runbook pages`);
