/** Randomness the domain needs, behind a port (the domain never touches crypto). */
export interface IdGenerator {
  /** A random UUID (v4), used for token ids. */
  newId(): string;
  /** A client secret: 32 random bytes, base64. */
  newSecret(): string;
}
export const ID_GENERATOR = Symbol('IdGenerator');
