/** A synthesized CloudFormation template, as JSON: what the drill runs of the stack (alarms, state machines). */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The first resource of `type` across the templates whose property `name` equals `value`. */
export function findResource(templates: Iterable<CfnTemplate>, type: string, name: string, value: unknown): CfnResource | undefined {
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type === type && resource.Properties?.[name] === value) return resource;
    }
  }
  return undefined;
}
