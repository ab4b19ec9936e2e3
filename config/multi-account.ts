import type { ConfigInput } from '../lib/core/config/schema';
import { config as production } from './default';

const [chatbotApi] = production.services;

/**
 * An example of one environment over two regions and two accounts: the chatbot API serves from us-east-1 and
 * us-west-2 in the platform account, and the search API it calls runs in its team's own account, in us-west-2.
 * Incidents, escalation and the on-call CLI live in the home region (us-east-1) of the platform account; every
 * other (account, region) gets a stack with its alarms forwarding their state changes there (docs/regions.md).
 */
export const config: ConfigInput = {
  ...production,
  account: '111111111111',
  region: 'us-east-1',
  regions: ['us-east-1', 'us-west-2'],
  services: [
    { ...chatbotApi!, regions: ['us-east-1', 'us-west-2'] },
    {
      name: 'search-api',
      account: '222222222222',
      regions: ['us-west-2'],
      ecs: { cluster: 'search', service: 'search-api' },
      api: { kind: 'alb', loadBalancer: 'app/search-api/6d0ecf831eec9f09' },
    },
  ],
};
