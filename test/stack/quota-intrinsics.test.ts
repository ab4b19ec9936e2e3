import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  LONGEST_REGION,
  UNBOUNDED_VALUE,
  materialize,
  nameLength,
  refLength,
  getAttLength,
  stringLength,
  type CfnTemplate,
  type ResolveContext,
} from '../../lib/infra/quotas/intrinsics';
import { iamCharacters } from '../../lib/infra/quotas/measure';

const TEMPLATE: CfnTemplate = {
  Parameters: { Plain: { Type: 'String' }, WithDefault: { Type: 'String', Default: 'abc' } },
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic' },
    NamedTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'pages' } },
    Role: { Type: 'AWS::IAM::Role' },
    LongNameRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r'.repeat(80) } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'fn' } },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
  },
  Mappings: { Sizes: { small: { value: 'tiny' } } },
};

/** A stack with an unknown environment: every estimate takes its longest value. */
const unknownEnv: ResolveContext = { template: TEMPLATE, stackName: 'st' };
/** The same stack pinned to us-east-1 and an account. */
const pinned: ResolveContext = { ...unknownEnv, region: 'us-east-1', account: '123456789012' };

describe('quota estimator: pseudo parameters', () => {
  it('takes the longest region and partition when the stack does not pin them, the real ones when it does', () => {
    assert.equal(refLength('AWS::Region', unknownEnv), LONGEST_REGION);
    assert.equal(refLength('AWS::Region', pinned), 'us-east-1'.length);
    assert.equal(refLength('AWS::Partition', unknownEnv), 'aws-us-gov'.length);
    assert.equal(refLength('AWS::Partition', pinned), 'aws'.length);
    assert.equal(refLength('AWS::Partition', { ...pinned, region: 'cn-north-1' }), 'aws-cn'.length);
    assert.equal(refLength('AWS::AccountId', unknownEnv), 12);
    assert.equal(refLength('AWS::StackName', unknownEnv), 2);
    assert.equal(refLength('AWS::URLSuffix', pinned), 'amazonaws.com'.length);
  });
});

describe('quota estimator: Ref and Fn::GetAtt of resources', () => {
  it("a topic's Ref is its ARN: a literal name as is, a generated one as stack-logicalId-suffix", () => {
    assert.equal(refLength('NamedTopic', pinned), 'arn:aws:sns:us-east-1:123456789012:pages'.length);
    assert.equal(refLength('Topic', pinned), 'arn:aws:sns:us-east-1:123456789012:'.length + 'st-Topic-'.length + 13);
  });

  it('a generated name never exceeds the service maximum (role: 64), a literal one is taken as written', () => {
    const longStack: ResolveContext = { ...pinned, stackName: 's'.repeat(100) };
    assert.equal(nameLength('Role', longStack), 64);
    assert.equal(refLength('Role', pinned), 'st-Role-'.length + 13);
    assert.equal(getAttLength('LongNameRole', 'Arn', pinned), 'arn:aws:iam::123456789012:role/'.length + 64);
  });

  it("a function's Arn, a queue's Ref (its URL) and an unknown attribute", () => {
    assert.equal(getAttLength('Fn', 'Arn', pinned), 'arn:aws:lambda:us-east-1:123456789012:function:fn'.length);
    assert.ok(refLength('Queue', pinned) >= 'https://sqs.us-east-1.amazonaws.com/123456789012/q'.length);
    assert.equal(getAttLength('Topic', 'SomethingElse', pinned), 255);
  });

  it('a parameter resolves to its default, else to the 4,096-byte parameter value quota', () => {
    assert.equal(refLength('WithDefault', pinned), 3);
    assert.equal(refLength('Plain', pinned), UNBOUNDED_VALUE);
  });
});

describe('quota estimator: functions', () => {
  it('Fn::Join and Fn::Sub come back as strings of the resolved length', () => {
    const joined = materialize({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'sns', { Ref: 'AWS::Region' }]] }, pinned);
    assert.equal(joined, 'arn:xxx:sns:xxxxxxxxx');
    assert.equal(
      stringLength({ 'Fn::Sub': 'a-${AWS::Region}-${Fn.Arn}-${!Literal}' }, pinned),
      `a-us-east-1-arn:aws:lambda:us-east-1:123456789012:function:fn-\${Literal}`.length,
    );
    assert.equal(stringLength({ 'Fn::Sub': ['${X}/${AWS::AccountId}', { X: 'four' }] }, pinned), 'four/123456789012'.length);
  });

  it('Fn::If takes the longer branch, Fn::Select its item, Fn::FindInMap the mapping, AWS::NoValue disappears', () => {
    assert.equal(materialize({ 'Fn::If': ['Cond', 'short', 'much longer'] }, pinned), 'much longer');
    assert.equal(materialize({ 'Fn::Select': [1, ['a', 'bb', 'ccc']] }, pinned), 'bb');
    assert.equal(materialize({ 'Fn::Select': [{ Ref: 'Plain' }, ['a', 'bbb', 'cc']] }, pinned), 'bbb');
    assert.equal(materialize({ 'Fn::FindInMap': ['Sizes', 'small', 'value'] }, pinned), 'tiny');
    assert.deepEqual(materialize({ a: 1, b: { Ref: 'AWS::NoValue' }, c: ['x', { Ref: 'AWS::NoValue' }] }, pinned), { a: 1, c: ['x'] });
    assert.equal(materialize({ Ref: 'AWS::NoValue' }, pinned), undefined);
    assert.equal(stringLength({ Ref: 'AWS::NoValue' }, pinned), 0);
    assert.equal(iamCharacters(materialize({ Ref: 'AWS::NoValue' }, pinned)), 0);
  });

  it('Fn::ImportValue resolves to the export when the exporting template is known, else to 4,096', () => {
    const withExports: ResolveContext = { ...pinned, exports: new Map([['core:TopicArn', 60]]) };
    assert.equal(stringLength({ 'Fn::ImportValue': 'core:TopicArn' }, withExports), 60);
    assert.equal(stringLength({ 'Fn::ImportValue': 'other' }, withExports), UNBOUNDED_VALUE);
  });
});

describe("IAM's character count", () => {
  it('excludes whitespace, inside strings too, and counts placeholders in full', () => {
    assert.equal(iamCharacters({ Sid: 'a b' }), '{"Sid":"ab"}'.length);
    assert.equal(iamCharacters(materialize({ Resource: { Ref: 'AWS::AccountId' } }, pinned)), '{"Resource":"123456789012"}'.length);
  });
});
