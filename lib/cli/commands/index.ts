import type { CliCommand } from '../context';
import { actionsCommand } from './actions';
import { backtestCommand } from './backtest';
import { testAlertsCommand } from './test-alerts';

/** Every `oncall` command, in help order. A new command is one file here and one line in this list. */
export const COMMANDS: readonly CliCommand[] = [
  actionsCommand,
  testAlertsCommand,
  backtestCommand,
];
