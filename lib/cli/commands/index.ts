import type { CliCommand } from '../context';
import { actionsCommand } from './actions';
import { automationCommand } from './automation';
import { drillCommand } from './drill';
import { incidentsCommand } from './incidents';
import { reportCommand } from './report';
import { reviewCommand } from './review';
import { revertCommand } from './revert';
import { silenceCommands } from './silence';
import { backtestCommand } from './backtest';
import { testAlertsCommand } from './test-alerts';

/** Every `oncall` command, in help order. A new command is one file here and one line in this list. */
export const COMMANDS: readonly CliCommand[] = [
  actionsCommand,
  revertCommand,
  incidentsCommand,
  silenceCommands,
  reviewCommand,
  reportCommand,
  automationCommand,
  drillCommand,
  testAlertsCommand,
  backtestCommand,
];
