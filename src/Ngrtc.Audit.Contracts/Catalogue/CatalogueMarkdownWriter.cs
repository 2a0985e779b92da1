using System.ComponentModel;
using System.Reflection;
using System.Text;

namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>
/// Writes CATALOGUE.md, the people's view of the catalogue, from the same descriptors as the schemas. Pure and
/// deterministic, so the committed file can be checked against it.
/// </summary>
public static class CatalogueMarkdownWriter
{
    /// <summary>How to bring the generated files up to date; the check's failure message repeats it.</summary>
    public const string RegenerateCommand = "NGRTC_WRITE_SCHEMAS=1 dotnet test --project tests/Ngrtc.Audit.UnitTests";

    public static string Write(IReadOnlyList<EventDescriptor> descriptors)
    {
        var md = new StringBuilder();
        md.Append("# The audit event catalogue\n\n");
        md.Append("<!-- Generated from the contract records of src/Ngrtc.Audit.Contracts; do not edit. To regenerate: ")
            .Append(RegenerateCommand).Append(" -->\n\n");
        md.Append("Every type network functions may report, read from the contract records in `src/Ngrtc.Audit.Contracts` ")
            .Append("(one source of truth for validation, classification, retention, the JSON Schemas in `schemas/` and this page). ")
            .Append("The service serves the same schemas at `GET /api/v1/schemas` and `GET /api/v1/schemas/{type}`.\n\n");
        md.Append("**PD** marks personal data: an identifier of a person, with its category and the role the person plays ")
            .Append("(erasure for one person never touches the other party's data). Communication content (data channel payloads, ")
            .Append("media, raw PASSporTs, RCD logos, avatar models or animation) has no field: it is refused at ingestion, and only its hash may be sent.\n\n");

        md.Append("## The envelope\n\n");
        md.Append("A CloudEvents 1.0 JSON object in structured mode (`application/cloudevents+json`, or a JSON array as ")
            .Append("`application/cloudevents-batch+json`). Unknown attributes, unknown `data` fields and `data_base64` are refused.\n\n");
        md.Append("| attribute | required | meaning |\n|---|---|---|\n");
        foreach (var attribute in CloudEventEnvelope.Attributes)
        {
            var values = attribute.AllowedValues is { } allowed ? $" One of {Codes(allowed)}." : "";
            md.Append($"| `{attribute.Name}` | {(attribute.Required ? "yes" : "no")} | {Cell(attribute.Description)}{values} |\n");
        }

        md.Append("\n## Retention classes\n\nDefaults; the retention policy sets them per jurisdiction.\n\n| class | meaning |\n|---|---|\n");
        foreach (var retention in Enum.GetValues<RetentionClass>())
        {
            md.Append($"| {retention} | {Cell(Describe(retention))} |\n");
        }

        md.Append("\n## Types\n\n| type | emitter | retention | processing activity | PD (role) |\n|---|---|---|---|---|\n");
        foreach (var d in descriptors)
        {
            var personal = d.PersonalFields.Any()
                ? string.Join(", ", d.PersonalFields.Select(f => $"`{f.JsonName}` ({JsonSchemaWriter.RoleName(f.PersonalData!.Role)})"))
                : "—";
            md.Append($"| [`{d.Type}`](#{Anchor(d.Type)}) | {Cell(d.Emitter)} | {Retention(d)} | {d.ProcessingActivity} | {personal} |\n");
        }

        foreach (var d in descriptors)
        {
            md.Append($"\n## {d.Type}\n\n{Cell(d.Description)}\n\n");
            md.Append($"- Emitter: {d.Emitter}\n");
            md.Append($"- Retention: {Retention(d)}{(d.RetentionNote is { } note ? $" ({note})" : "")}\n");
            md.Append($"- Processing activity: `{d.ProcessingActivity}`\n");
            md.Append($"- Schema: [`schemas/{d.Type}.json`](schemas/{d.Type}.json), `$id` `{CloudEventEnvelope.SchemaId(d.Type)}`\n\n");
            md.Append("| field | type | required | PD (category, role) | meaning |\n|---|---|---|---|---|\n");
            foreach (var f in d.Fields)
            {
                var personal = f.PersonalData is { } pd ? $"{pd.Category}, {JsonSchemaWriter.RoleName(pd.Role)}" : "—";
                md.Append($"| `{f.JsonName}` | {Kind(f)} | {(f.Required ? "yes" : "no")} | {personal} | {Cell(f.Description)} |\n");
            }

            md.Append("\nExample:\n\n```json\n")
                .Append(d.Example.ToCloudEvent().ToJsonString(JsonSchemaWriter.FileOptions))
                .Append("\n```\n");
        }

        return md.ToString();
    }

    private static string Retention(EventDescriptor d) =>
        d.RetentionWhenPersonalData is { } elevated ? $"{d.Retention}, {elevated} when it names a person" : d.Retention.ToString();

    private static string Kind(FieldDescriptor f)
    {
        var kind = f.Kind switch
        {
            FieldKind.String => "string",
            FieldKind.Integer => "integer",
            FieldKind.Boolean => "boolean",
            FieldKind.Timestamp => "timestamp (RFC 3339)",
            FieldKind.StringList => "non-empty list of strings",
            _ => f.Kind.ToString(),
        };
        return f.AllowedValues is { } allowed ? $"{kind}: {Codes(allowed)}" : kind;
    }

    private static string Describe(RetentionClass retention) =>
        typeof(RetentionClass).GetField(retention.ToString())!.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";

    private static string Codes(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"`{v}`"));

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>The anchor GitHub gives a heading: lower case, punctuation other than '-' dropped.</summary>
    private static string Anchor(string heading) =>
        new([.. heading.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
}
