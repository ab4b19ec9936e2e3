/** asl-validator 4 ships no type declarations; this is the part of its API the tests use. */
declare module 'asl-validator' {
  function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errorsText: (separator?: string) => string };
  export default aslValidator;
}
