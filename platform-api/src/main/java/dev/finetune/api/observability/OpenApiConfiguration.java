package dev.finetune.api.observability;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document at {@code /v3/api-docs}: every operation needs the bearer API key. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String SCHEME = "bearer";

    @Bean
    OpenAPI platformOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Fine-tuning platform API").version("v1")
                        .description("Datasets, base models and LoRA / QLoRA / adapter fine-tuning jobs. Errors are"
                                + " RFC 9457 problems whose type URIs are listed under https://finetune.dev/problems/."))
                .components(new Components().addSecuritySchemes(SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("ftk_<prefix>_<secret>")
                        .description("An API key of your tenant: Authorization: Bearer ftk_...")))
                .addSecurityItem(new SecurityRequirement().addList(SCHEME));
    }
}
