// The aws-sdk-client-mock matchers (toReceiveCommandWith, …) for every test file.
import 'aws-sdk-client-mock-vitest/extend';
