/** Finds the model behind an inference profile in a region (AWS: Bedrock GetInferenceProfile). */
export interface InferenceProfileResolver {
  /**
   * The Bedrock model id behind the profile in `region`, or undefined when the profile is unknown.
   * Throws when the lookup itself fails (network, permissions, timeout).
   */
  modelFor(inferenceProfileArn: string, region: string): Promise<string | undefined>;
}
export const INFERENCE_PROFILE_RESOLVER = Symbol('InferenceProfileResolver');
