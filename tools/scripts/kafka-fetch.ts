// Resolves the Kafka broker's jars from Maven Central (infra/kafka/pom.xml) into .local/kafka/libs.
import { ensureKafkaArtifacts } from '@trainyard/infra';

console.log(`Kafka artifacts in ${ensureKafkaArtifacts((line) => console.log(line))}`);
