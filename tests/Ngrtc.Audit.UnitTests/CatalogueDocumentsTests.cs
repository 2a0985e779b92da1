using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.UnitTests;

/// <summary>
/// The generated documents of the catalogue: the JSON Schemas in src/Ngrtc.Audit.Contracts/schemas/ and
/// CATALOGUE.md. They are committed so that emitters and reviewers read them without building; these tests fail
/// when they drift from the contracts. Regenerate with NGRTC_WRITE_SCHEMAS=1 (see CatalogueMarkdownWriter.RegenerateCommand).
/// </summary>
public class CatalogueDocumentsTests
{
    private const string WriteVariable = "NGRTC_WRITE_SCHEMAS";

    public static TheoryData<string> Types => [.. AuditCatalogue.Ordered.Select(d => d.Type)];

    private static bool Rewrite => Environment.GetEnvironmentVariable(WriteVariable) == "1";

    private static string ContractsFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Ngrtc.Audit.sln")))
                {
                    return Path.Combine(dir.FullName, "src", "Ngrtc.Audit.Contracts");
                }
            }

            throw new InvalidOperationException("Ngrtc.Audit.sln not found above the test's folder.");
        }
    }

    private static string SchemaFolder => Path.Combine(ContractsFolder, "schemas");

    private static JsonObject Schema(string type) => JsonSchemaWriter.Schema(AuditCatalogue.Get(type));

    private static JsonObject Example(string type) => AuditCatalogue.Get(type).Example.ToCloudEvent();

    [Fact]
    public void the_committed_schemas_are_those_the_catalogue_writes()
    {
        Directory.CreateDirectory(SchemaFolder);
        var expected = AuditCatalogue.Ordered.ToDictionary(d => $"{d.Type}.json", JsonSchemaWriter.Write);
        if (Rewrite)
        {
            foreach (var stale in Directory.GetFiles(SchemaFolder, "*.json").Where(f => !expected.ContainsKey(Path.GetFileName(f))))
            {
                File.Delete(stale);
            }

            foreach (var (name, schema) in expected)
            {
                File.WriteAllText(Path.Combine(SchemaFolder, name), schema);
            }
        }

        Directory.GetFiles(SchemaFolder, "*.json").Select(Path.GetFileName).ShouldBe(expected.Keys, ignoreOrder: true,
            $"schemas/ holds a file per catalogue type; regenerate: {CatalogueMarkdownWriter.RegenerateCommand}");
        foreach (var (name, schema) in expected)
        {
            File.ReadAllText(Path.Combine(SchemaFolder, name)).ShouldBe(schema,
                $"schemas/{name} differs from the contract; regenerate: {CatalogueMarkdownWriter.RegenerateCommand}");
        }
    }

    [Fact]
    public void the_committed_catalogue_page_is_the_one_the_catalogue_writes()
    {
        var path = Path.Combine(ContractsFolder, "CATALOGUE.md");
        var expected = CatalogueMarkdownWriter.Write(AuditCatalogue.Ordered);
        if (Rewrite)
        {
            File.WriteAllText(path, expected);
        }

        File.Exists(path).ShouldBeTrue($"CATALOGUE.md is missing; generate it: {CatalogueMarkdownWriter.RegenerateCommand}");
        File.ReadAllText(path).ShouldBe(expected, $"CATALOGUE.md differs from the contracts; regenerate: {CatalogueMarkdownWriter.RegenerateCommand}");
    }

    [Fact]
    public void the_catalogue_page_documents_every_type_with_its_example()
    {
        var page = CatalogueMarkdownWriter.Write(AuditCatalogue.Ordered);

        foreach (var d in AuditCatalogue.All)
        {
            page.ShouldContain($"\n## {d.Type}\n");
            page.ShouldContain(d.Example.ToCloudEvent().ToJsonString(JsonSchemaWriter.FileOptions));
            foreach (var field in d.Fields)
            {
                page.ShouldContain($"| `{field.JsonName}` |");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void the_example_is_a_valid_event_of_its_type(string type)
    {
        var item = CloudEventReader.Read(CloudEventContentTypes.Single, Example(type).ToJsonString()).Items.ShouldHaveSingleItem();

        item.Errors.ShouldBeEmpty();
        item.Event!.Descriptor.ShouldBeSameAs(AuditCatalogue.Get(type));
        item.Event.Envelope.Type.ShouldBe(type);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void the_example_uses_fictitious_identifiers_only(string type)
    {
        var descriptor = AuditCatalogue.Get(type);
        var data = Example(type)["data"]!.AsObject();

        foreach (var field in descriptor.PersonalFields)
        {
            var values = data[field.JsonName] switch
            {
                null => [],
                JsonArray list => list.Select(v => v!.GetValue<string>()),
                var value => [value.GetValue<string>()],
            };
            foreach (var value in values)
            {
                (value.Contains("+4915550") || value.Contains("example.org") || value.StartsWith("avatar-"))
                    .ShouldBeTrue($"{type}.{field.JsonName} is not from the fictitious ranges");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void the_schema_lists_exactly_the_contract_fields_with_their_classification(string type)
    {
        var descriptor = AuditCatalogue.Get(type);
        var schema = JsonNode.Parse(JsonSchemaWriter.Write(descriptor))!.AsObject();

        schema["$schema"]!.GetValue<string>().ShouldBe("https://json-schema.org/draft/2020-12/schema");
        schema["$id"]!.GetValue<string>().ShouldBe($"urn:ngrtc:audit:schema:{type}");
        schema["x-retention-class"]!.GetValue<string>().ShouldBe(descriptor.Retention.ToString());
        schema["x-processing-activity"]!.GetValue<string>().ShouldBe(descriptor.ProcessingActivity);
        schema["properties"]!["type"]!["const"]!.GetValue<string>().ShouldBe(type);
        schema["additionalProperties"]!.GetValue<bool>().ShouldBeFalse();
        schema["required"]!.AsArray().Select(n => n!.GetValue<string>())
            .ShouldBe(CloudEventEnvelope.Attributes.Where(a => a.Required).Select(a => a.Name), ignoreOrder: true);

        var data = schema["properties"]!["data"]!.AsObject();
        data["additionalProperties"]!.GetValue<bool>().ShouldBeFalse();
        data["properties"]!.AsObject().Select(p => p.Key).ShouldBe(descriptor.Fields.Select(f => f.JsonName));
        data["required"]!.AsArray().Select(n => n!.GetValue<string>())
            .ShouldBe(descriptor.Fields.Where(f => f.Required).Select(f => f.JsonName));
        foreach (var field in descriptor.Fields)
        {
            var property = data["properties"]![field.JsonName]!.AsObject();
            property["description"]!.GetValue<string>().ShouldBe(field.Description);
            if (field.PersonalData is { } personal)
            {
                property["x-personal-data"]!["category"]!.GetValue<string>().ShouldBe(personal.Category);
                property["x-personal-data"]!["role"]!.GetValue<string>().ShouldBe(personal.Role.ToString().ToLowerInvariant());
            }
            else
            {
                property.ContainsKey("x-personal-data").ShouldBeFalse(field.JsonName);
            }
        }

        schema["examples"]!.AsArray().ShouldHaveSingleItem()!.ToJsonString().ShouldBe(Example(type).ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void the_example_validates_against_its_schema(string type)
    {
        var results = Evaluate(type, Example(type));

        results.IsValid.ShouldBeTrue(Describe(results));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void every_broken_variant_fails_the_schema_and_the_reader(string type)
    {
        foreach (var (what, broken) in BrokenVariants(type))
        {
            Evaluate(type, broken).IsValid.ShouldBeFalse($"{type}: the schema accepts {what}");
            CloudEventReader.Read(CloudEventContentTypes.Single, broken.ToJsonString()).Items.ShouldHaveSingleItem()
                .IsValid.ShouldBeFalse($"{type}: the reader accepts {what}");
        }
    }

    private static IEnumerable<(string What, JsonObject Event)> BrokenVariants(string type)
    {
        var descriptor = AuditCatalogue.Get(type);
        JsonObject Variant(Action<JsonObject> change)
        {
            var e = Example(type);
            change(e);
            return e;
        }

        foreach (var field in descriptor.Fields.Where(f => f.Required))
        {
            yield return ($"data without {field.JsonName}", Variant(e => e["data"]!.AsObject().Remove(field.JsonName)));
        }

        foreach (var field in descriptor.Fields)
        {
            JsonNode wrong = field.Kind switch
            {
                FieldKind.String => 42,
                FieldKind.Integer => "forty-two",
                FieldKind.Boolean => "yes",
                FieldKind.Timestamp => "yesterday",
                FieldKind.StringList => "not-a-list",
                _ => throw new NotSupportedException(field.Kind.ToString()),
            };
            yield return ($"{field.JsonName} of the wrong type", Variant(e => e["data"]![field.JsonName] = wrong));
            if (field.AllowedValues is not null && field.Kind == FieldKind.String)
            {
                yield return ($"{field.JsonName} outside its values", Variant(e => e["data"]![field.JsonName] = "not-one-of-them"));
            }
        }

        yield return ("an unknown data field", Variant(e => e["data"]!["imei"] = "35-209900-176148-1"));
        yield return ("an unknown attribute", Variant(e => e["imsi"] = "262019999999999"));
        yield return ("data_base64", Variant(e => e["data_base64"] = "aGVsbG8="));
        yield return ("another type", Variant(e => e["type"] = type.Replace(".v1", ".v9", StringComparison.Ordinal)));
        yield return ("an unknown nftype", Variant(e => e["nftype"] = "TOASTER"));
        yield return ("a time without offset", Variant(e => e["time"] = "2026-11-28T10:15:00"));
        foreach (var attribute in CloudEventEnvelope.Attributes.Where(a => a.Required))
        {
            yield return ($"no {attribute.Name}", Variant(e => e.Remove(attribute.Name)));
        }
    }

    private static EvaluationResults Evaluate(string type, JsonObject e)
    {
        // A registry per schema: every schema's $id is registered once, whatever the order the theories run in.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 };
        var schema = JsonSchema.FromText(JsonSchemaWriter.Write(AuditCatalogue.Get(type)), options);
        using var document = JsonDocument.Parse(e.ToJsonString());
        return schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
}
