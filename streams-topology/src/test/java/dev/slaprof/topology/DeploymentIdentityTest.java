package dev.slaprof.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slaprof.schema.avro.Deployment;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The profile processor's bucket cache compares deployments field by field; a new field must be added there too. */
class DeploymentIdentityTest {
    @Test
    void shouldCompareEveryFieldOfTheDeployment() {
        assertThat(Deployment.getClassSchema().getFields()).extracting(Schema.Field::name)
            .as("BucketCache.sameDeployment and Keys.deploymentId compare exactly these fields")
            .containsExactly("model", "backend", "backend_version", "gpu_type", "engine_version");
    }
}
