import { FieldProblems, InvalidRequestError } from '../errors.js';

export interface InferenceProfile {
  orgId: string;
  appId: string;
  profileLabel: string;
  inferenceProfileArn: string;
  description?: string;
  createdAt: string;
}

export const PROFILE_ARN_PATTERN =
  /^arn:aws:bedrock:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):(application-inference-profile|inference-profile)\/([A-Za-z0-9._:-]{1,128})$/;
export const PROFILE_LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/;

/** Label 1..50 characters (letters, digits, `_ . -`), not a config label; ARN of an (application) inference profile. */
export function validateProfileInput(
  input: { profileLabel: unknown; inferenceProfileArn: unknown; description?: unknown },
  configLabels: readonly string[],
): { profileLabel: string; inferenceProfileArn: string; description?: string } {
  const p = new FieldProblems();
  const { profileLabel, inferenceProfileArn, description } = input;
  if (
    typeof profileLabel !== 'string' ||
    !PROFILE_LABEL_PATTERN.test(profileLabel) ||
    profileLabel in Object.prototype
  ) {
    p.add('profile_label', 'must be 1 to 50 characters: letters, digits, underscore, dot or dash');
  } else if (configLabels.includes(profileLabel)) {
    p.add('profile_label', `clashes with the configured model label '${profileLabel}'`);
  }
  if (typeof inferenceProfileArn !== 'string' || !PROFILE_ARN_PATTERN.test(inferenceProfileArn)) {
    p.add(
      'inference_profile_arn',
      'must be arn:aws:bedrock:{region}:{12-digit account}:application-inference-profile/{id} or :inference-profile/{id}',
    );
  }
  if (description !== undefined && (typeof description !== 'string' || description.length > 500)) {
    p.add('description', 'must be a string of at most 500 characters');
  }
  if (!p.empty) throw new InvalidRequestError(p.list);
  const out: { profileLabel: string; inferenceProfileArn: string; description?: string } = {
    profileLabel: profileLabel as string,
    inferenceProfileArn: inferenceProfileArn as string,
  };
  if (description !== undefined) out.description = description as string;
  return out;
}
