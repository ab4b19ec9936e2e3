import { readFileSync } from 'node:fs';

/**
 * Errors of the alarm evaluator. An {@link InputError} is the user's to fix (a bad test file, series, CSV or
 * alarm id): the CLI prints its message and exits with code 2. Anything else is a bug.
 */

/** Something in the user's input is wrong; the message names what was received and where. */
export class InputError extends Error {
  public override readonly name: string = 'InputError';

  public constructor(
    message: string,
    /** `file:line`, or a field path, when known. */
    public readonly where?: string,
  ) {
    super(where === undefined ? message : `${where}: ${message}`);
  }

  /** The same error (same class, same fields), located; an error that already has a location keeps it. */
  public at(where: string): this {
    if (this.where !== undefined) return this;
    const located = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(located, this, { where, message: `${where}: ${this.message}`, stack: this.stack });
    return located;
  }
}

/** A token of the compact series notation could not be read. */
export class SeriesSyntaxError extends InputError {
  public override readonly name = 'SeriesSyntaxError';
}

/** A metric math expression or composite alarm rule could not be parsed or evaluated. */
export class ExpressionError extends InputError {
  public override readonly name = 'ExpressionError';
}

/** No alarm matches the name or alert id asked for. */
export class UnknownAlarmError extends InputError {
  public override readonly name = 'UnknownAlarmError';

  public constructor(
    public readonly query: string,
    /** Close matches, best first. */
    public readonly suggestions: readonly string[],
    detail = '',
  ) {
    super(`unknown alarm "${query}"${detail}${suggestions.length > 0 ? `. Did you mean: ${suggestions.join(', ')}?` : ''}`);
  }
}

/** A user's input file as text. @throws InputError naming the file: not found, or why it cannot be read */
export function readInputFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})`, path);
  }
}
