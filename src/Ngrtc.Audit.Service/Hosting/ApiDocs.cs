using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>, with the bearer scheme) and Scalar's reference page at <c>/docs</c>; both anonymous.</summary>
public static class ApiDocs
{
    public const string BearerScheme = "Bearer";

    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Ngrtc.Audit";
                document.Info.Description =
                    "Audit and privacy-compliance service for NG-RTC IMS networks. Every endpoint but the JWKS needs a bearer "
                    + "token (JWT: roles, tenant; an emitter's source, a regulator's jurisdiction). Every read by a person states "
                    + "its purpose in X-Purpose and is recorded in the tenant's access log.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A token from the configured identity provider (development: ops/ngrtc-audit token --role … --tenant …).",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var method = context.Description.HttpMethod;
                var audited = string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase)
                    || context.Description.ActionDescriptor.EndpointMetadata.OfType<AuditedRead>().Any();
                var anonymous = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any();
                if (anonymous)
                {
                    operation.Security = [];
                }
                else if (audited && context.Description.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true)
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = AccessHeaders.Purpose,
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "The purpose of this read (required from persons, i.e. every role but emitter; recorded in the access log). "
                            + $"At most {AccessAudit.MaxPurposeLength} printable ASCII characters, no '@' or '+'.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options
                .WithTitle("Ngrtc.Audit API")
                .AddPreferredSecuritySchemes(BearerScheme))
            .AllowAnonymous();
        return app;
    }
}
