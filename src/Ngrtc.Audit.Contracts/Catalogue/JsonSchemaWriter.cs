using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>
/// Writes the JSON Schema (draft 2020-12) of one event type from its descriptor: the whole CloudEvent as the
/// ingestion reader accepts it, with the classification as <c>x-</c> annotations. Pure and deterministic, so the
/// committed schema files can be checked against it.
/// </summary>
public static class JsonSchemaWriter
{
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    public const string MediaType = "application/schema+json";

    /// <summary>RFC 3339 date-time with an explicit offset, as the reader requires it.</summary>
    public const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$";

    /// <summary>Indented, LF line ends, '+' and non-ASCII left readable (the files are read by people, not embedded in HTML).</summary>
    public static JsonSerializerOptions FileOptions { get; } = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The schema as the file and the API hold it: indented JSON ending with a newline.</summary>
    public static string Write(EventDescriptor descriptor) => Schema(descriptor).ToJsonString(FileOptions) + "\n";

    public static JsonObject Schema(EventDescriptor descriptor)
    {
        var schema = new JsonObject
        {
            ["$schema"] = Dialect,
            ["$id"] = CloudEventEnvelope.SchemaId(descriptor.Type),
            ["title"] = descriptor.Type,
            ["description"] = descriptor.Description,
            ["x-emitter"] = descriptor.Emitter,
            ["x-retention-class"] = descriptor.Retention.ToString(),
        };
        if (descriptor.RetentionWhenPersonalData is { } elevated)
        {
            schema["x-retention-class-with-personal-data"] = elevated.ToString();
        }

        if (descriptor.RetentionNote is { } note)
        {
            schema["x-retention-note"] = note;
        }

        schema["x-processing-activity"] = descriptor.ProcessingActivity;
        schema["type"] = "object";
        schema["required"] = Strings(CloudEventEnvelope.Attributes.Where(a => a.Required).Select(a => a.Name));
        var properties = new JsonObject();
        foreach (var attribute in CloudEventEnvelope.Attributes)
        {
            properties[attribute.Name] = attribute.Name switch
            {
                "specversion" => new JsonObject { ["description"] = attribute.Description, ["const"] = CloudEventEnvelope.SpecVersion },
                "type" => new JsonObject { ["description"] = attribute.Description, ["const"] = descriptor.Type },
                "time" => Timestamp(attribute.Description, attribute.Required),
                "source" => Text(attribute.Description, attribute.Required, null, @"^\S+$"),
                "datacontenttype" => Text(attribute.Description, attribute.Required, null, @"^application/json\s*(;.*)?$"),
                "data" => Data(descriptor, attribute.Description),
                _ => Text(attribute.Description, attribute.Required, attribute.AllowedValues),
            };
        }

        schema["properties"] = properties;
        schema["additionalProperties"] = false;
        schema["examples"] = new JsonArray(descriptor.Example.ToCloudEvent());
        return schema;
    }

    private static JsonObject Data(EventDescriptor descriptor, string description)
    {
        var properties = new JsonObject();
        foreach (var field in descriptor.Fields)
        {
            properties[field.JsonName] = Field(field);
        }

        return new JsonObject
        {
            ["description"] = description,
            ["type"] = "object",
            ["required"] = Strings(descriptor.Fields.Where(f => f.Required).Select(f => f.JsonName)),
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
    }

    private static JsonObject Field(FieldDescriptor field)
    {
        var schema = field.Kind switch
        {
            FieldKind.String => Text(field.Description, field.Required, field.AllowedValues),
            FieldKind.Timestamp => Timestamp(field.Description, field.Required),
            FieldKind.Integer => new JsonObject
            {
                ["description"] = field.Description,
                ["type"] = Type("integer", field.Required),
                ["minimum"] = -AuditCatalogue.MaxSafeInteger,
                ["maximum"] = AuditCatalogue.MaxSafeInteger,
            },
            FieldKind.Boolean => new JsonObject { ["description"] = field.Description, ["type"] = Type("boolean", field.Required) },
            FieldKind.StringList => new JsonObject
            {
                ["description"] = field.Description,
                ["type"] = Type("array", field.Required),
                ["minItems"] = 1,
                ["items"] = Text(null, true, field.AllowedValues),
            },
            _ => throw new NotSupportedException($"{field.JsonName}: no schema for {field.Kind}"),
        };
        if (field.PersonalData is { } personal)
        {
            schema["x-personal-data"] = new JsonObject
            {
                ["category"] = personal.Category,
                ["role"] = RoleName(personal.Role),
            };
        }

        return schema;
    }

    public static string RoleName(PersonRole role) => role.ToString().ToLowerInvariant();

    // The reader treats an optional attribute or field that is null as absent, so the schema allows null there.
    private static JsonNode Type(string type, bool required) => required ? type : new JsonArray(type, "null");

    private static JsonObject Text(string? description, bool required, IReadOnlyList<string>? allowed, string? pattern = null)
    {
        var schema = new JsonObject();
        if (description is not null)
        {
            schema["description"] = description;
        }

        schema["type"] = Type("string", required);
        schema["minLength"] = 1;
        if (pattern is not null)
        {
            schema["pattern"] = pattern;
        }

        if (allowed is not null)
        {
            var values = Strings(allowed);
            if (!required)
            {
                values.Add(null);
            }

            schema["enum"] = values;
        }

        return schema;
    }

    private static JsonObject Timestamp(string description, bool required) => new()
    {
        ["description"] = description,
        ["type"] = Type("string", required),
        ["format"] = "date-time",
        ["pattern"] = TimestampPattern,
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
