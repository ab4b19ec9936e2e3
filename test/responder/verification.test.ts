import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { verificationOf } from '../../lambdas/responder/verification';
import { recordingLogger } from '../support/responder';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:chatbot-verify';

describe('the verification of a responder', () => {
  it('is skipped, with the reason logged, when the stack has no verification state machine (a regional stack)', () => {
    // GIVEN
    const logger = recordingLogger();
    // WHEN
    const verification = verificationOf(new SFNClient({ region: 'us-west-2' }), undefined, logger);
    // THEN
    assert.equal(verification, undefined);
    assert.deepEqual(
      logger.lines.map((l) => [l.level, l.message]),
      [['warn', 'actions will not be verified: this stack has no verification state machine (VERIFY_STATE_MACHINE_ARN unset)']],
    );
  });

  it("starts an execution of the stack's state machine per action when it has one, logging nothing", async () => {
    // GIVEN
    const logger = recordingLogger();
    const sent: StartExecutionCommand[] = [];
    const sfn = { send: async (command: StartExecutionCommand) => void sent.push(command) } as unknown as SFNClient;
    // WHEN
    await verificationOf(sfn, MACHINE, logger)!.start('act-1', new Date('2026-01-01T00:10:00Z'));
    // THEN
    assert.deepEqual(logger.lines, []);
    assert.deepEqual(
      sent.map((c) => c.input),
      [{ stateMachineArn: MACHINE, name: 'verify-act-1', input: '{"actionId":"act-1","at":"2026-01-01T00:10:00.000Z"}' }],
    );
  });
});
