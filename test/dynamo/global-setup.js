// Placeholder until the DynamoDB Local bootstrap lands.
export default async function globalSetup() {}
