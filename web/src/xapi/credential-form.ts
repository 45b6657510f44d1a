export const MAX_CREDENTIAL_NAME_LENGTH = 100;

/** Why a credential name cannot be used, or null if it can (the server's rule: 1 to 100 characters). */
export function credentialNameProblem(name: string): string | null {
  if (name.trim() === '') return 'Enter a name, such as where the credential will be used.';
  if (name.trim().length > MAX_CREDENTIAL_NAME_LENGTH) return `The name can be at most ${MAX_CREDENTIAL_NAME_LENGTH} characters.`;
  return null;
}
