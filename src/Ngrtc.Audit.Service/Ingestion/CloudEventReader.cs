using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Service.Ingestion;

/// <summary>A problem with one attribute or field of the input, named by its JSON path. Never carries the value.</summary>
public sealed record FieldError(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>A CloudEvent that passed validation, ready to be recorded.</summary>
public sealed record IncomingEvent(AuditEnvelope Envelope, JsonElement Data, EventDescriptor Descriptor);

/// <summary>One item of a parsed body: either valid, or rejected with the reasons.</summary>
public sealed record ReadItem(int Index, string? Id, string? Source, IncomingEvent? Event, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Event is not null;
}

/// <summary>The outcome of reading a body: a body-level error (bad JSON, wrong shape) or one item per event.</summary>
public sealed record ReadResult(FieldError? BodyError, IReadOnlyList<ReadItem> Items, bool IsBatch)
{
    public static ReadResult Fail(string field, string reason, bool isBatch = false) => new(new FieldError(field, reason), [], isBatch);
}

/// <summary>
/// Parses and validates CloudEvents 1.0 in structured JSON mode, single or batch, against the catalogue.
/// Pure: no clock, no I/O. Error reasons name the attribute or field and never repeat its value.
/// </summary>
public static partial class CloudEventReader
{
    public const int MaxBatchSize = 1000;

    private static readonly HashSet<string> NfTypes = [.. CloudEventEnvelope.NfTypes];

    private static readonly HashSet<string> LegalBases = [.. CloudEventEnvelope.LegalBases];

    private const string NotUnicode = "is not valid Unicode (it escapes a lone surrogate)";

    // Which of the two values would count is up to each reader, and the leaf's canonical form has none (RFC 8785).
    private const string DuplicateReason = "appears twice in one object (I-JSON, RFC 7493 §2.3)";

    private static readonly HashSet<string> KnownAttributes = [.. CloudEventEnvelope.Attributes.Select(a => a.Name)];

    public static ReadResult Read(string? contentType, string? body)
    {
        if (body is null)
        {
            return ReadResult.Fail("$", "the message has no body");
        }

        var mediaType = MediaType(contentType);
        var isBatch = mediaType == CloudEventContentTypes.Batch;
        if (!isBatch && mediaType != CloudEventContentTypes.Single)
        {
            return ReadResult.Fail(
                "content-type",
                $"must be {CloudEventContentTypes.Single} (one event) or {CloudEventContentTypes.Batch} (a JSON array of events)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            // Position only: the parser's own message can quote the offending input.
            return ReadResult.Fail("$", $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", isBatch);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!isBatch)
            {
                return root.ValueKind == JsonValueKind.Object
                    ? new ReadResult(null, [ReadOne(root, 0, "")], false)
                    : ReadResult.Fail("$", "a single CloudEvent must be a JSON object");
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                return ReadResult.Fail("$", "a batch must be a JSON array of CloudEvents", true);
            }

            var count = root.GetArrayLength();
            if (count == 0)
            {
                return ReadResult.Fail("$", "the batch is empty", true);
            }

            if (count > MaxBatchSize)
            {
                return ReadResult.Fail("$", $"the batch holds more than {MaxBatchSize} events", true);
            }

            var items = new List<ReadItem>(count);
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                items.Add(element.ValueKind == JsonValueKind.Object
                    ? ReadOne(element, index, $"[{index}].")
                    : new ReadItem(index, null, null, null, [new FieldError($"[{index}]", "must be a CloudEvent JSON object")]));
                index++;
            }

            return new ReadResult(null, items, true);
        }
    }

    /// <summary>The media type of a content type: lower case, without parameters.</summary>
    public static string? MediaType(string? contentType) =>
        contentType?.Split(';', 2)[0].Trim().ToLowerInvariant();

    private static ReadItem ReadOne(JsonElement e, int index, string prefix)
    {
        try
        {
            return ReadEvent(e, index, prefix);
        }
        catch (InvalidOperationException)
        {
            // A member name escaping a lone surrogate (values are checked where they are read).
            return new ReadItem(index, null, null, null, [new FieldError(prefix.Length == 0 ? "$" : prefix.TrimEnd('.'), "a member name " + NotUnicode)]);
        }
    }

    private static ReadItem ReadEvent(JsonElement e, int index, string prefix)
    {
        var errors = new List<FieldError>();
        void Fail(string field, string reason) => errors.Add(new FieldError(prefix + field, reason));

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in e.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                Fail(Quotable(property.Name), DuplicateReason);
            }
            else if (property.Name == "data_base64")
            {
                Fail(property.Name, "binary data is not accepted: audit events carry JSON data, never communication content");
            }
            else if (!KnownAttributes.Contains(property.Name))
            {
                Fail(Quotable(property.Name), "unknown attribute");
            }
        }

        var specVersion = RequiredString(e, "specversion", Fail);
        if (specVersion is not null && specVersion != "1.0")
        {
            Fail("specversion", $"must be {CloudEventEnvelope.SpecVersion}");
        }

        var id = RequiredString(e, "id", Fail);
        var source = RequiredString(e, "source", Fail);
        if (source is not null && source.Any(char.IsWhiteSpace))
        {
            Fail("source", "must be a URI-reference (no whitespace)");
        }

        var type = RequiredString(e, "type", Fail);
        var descriptor = type is null ? null : AuditCatalogue.Find(type);
        if (type is not null && descriptor is null)
        {
            Fail("type", "unknown event type");
        }

        var time = RequiredString(e, "time", Fail) is { } t ? ParseTimestamp(t, "time", Fail) : null;
        var contentType = OptionalString(e, "datacontenttype", Fail);
        if (contentType is not null && MediaType(contentType) != CloudEventEnvelope.DataContentType)
        {
            Fail("datacontenttype", $"must be {CloudEventEnvelope.DataContentType}");
        }

        OptionalString(e, "dataschema", Fail);
        var subject = OptionalString(e, "subject", Fail);
        RefuseInEnvelope("subject", subject, Fail, numbersToo: true);
        RefuseInEnvelope("id", id, Fail, numbersToo: false);
        var tenant = RequiredString(e, "tenant", Fail);
        var nfType = RequiredString(e, "nftype", Fail);
        if (nfType is not null && !NfTypes.Contains(nfType))
        {
            Fail("nftype", $"must be one of {string.Join(", ", CloudEventEnvelope.NfTypes)}");
        }

        var correlationId = OptionalString(e, "correlationid", Fail);
        RefuseInEnvelope("correlationid", correlationId, Fail, numbersToo: false);
        var purpose = RequiredString(e, "purpose", Fail);
        var legalBasis = RequiredString(e, "legalbasis", Fail);
        if (legalBasis is not null && !LegalBases.Contains(legalBasis))
        {
            Fail("legalbasis", $"must be one of {string.Join(", ", CloudEventEnvelope.LegalBases)}");
        }

        if (!e.TryGetProperty("data", out var data))
        {
            Fail("data", "required attribute is missing");
        }
        else if (data.ValueKind != JsonValueKind.Object)
        {
            Fail("data", "must be a JSON object");
        }
        else if (descriptor is not null)
        {
            ValidateData(data, descriptor, (field, reason) => Fail("data." + field, reason));
        }

        if (errors.Count > 0)
        {
            return new ReadItem(index, id, source, null, errors);
        }

        var envelope = new AuditEnvelope(id!, source!, type!, time!.Value, tenant!, nfType!, purpose!, legalBasis!, correlationId, subject);
        return new ReadItem(index, id, source, new IncomingEvent(envelope, data.Clone(), descriptor!), []);
    }

    private static void ValidateData(JsonElement data, EventDescriptor descriptor, Action<string, string> fail)
    {
        var known = descriptor.FieldsByName;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in data.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                fail(Quotable(property.Name), DuplicateReason);
                continue;
            }

            if (known.ContainsKey(property.Name))
            {
                continue;
            }

            // A field named like content is someone sending the content itself: say so rather than "unknown".
            fail(Quotable(property.Name), CommunicationContent.IsContentFieldName(property.Name)
                ? CommunicationContent.ContentFieldReason
                : $"unknown field for {descriptor.Type}");
        }

        foreach (var field in descriptor.Fields)
        {
            if (!data.TryGetProperty(field.JsonName, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (field.Required)
                {
                    fail(field.JsonName, "required field is missing");
                }

                continue;
            }

            ValidateField(value, field, reason => fail(field.JsonName, reason));
        }
    }

    private static void ValidateField(JsonElement value, FieldDescriptor field, Action<string> fail)
    {
        switch (field.Kind)
        {
            case FieldKind.String when value.ValueKind != JsonValueKind.String:
                fail("must be a string");
                break;
            case FieldKind.String when TryText(value, out var text):
                ValidateText(text, field.AllowedValues, fail);
                break;
            case FieldKind.String:
                fail(NotUnicode);
                break;
            case FieldKind.Integer when value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var integer)
                                        || integer is < -AuditCatalogue.MaxSafeInteger or > AuditCatalogue.MaxSafeInteger:
                // The leaf's canonical form (RFC 8785) writes numbers as doubles: beyond 2^53 two stored values
                // would share one leaf, so an edit there would go unseen (I-JSON, RFC 7493 §2.2).
                fail($"must be an integer between -{AuditCatalogue.MaxSafeInteger} and {AuditCatalogue.MaxSafeInteger}");
                break;
            case FieldKind.Boolean when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                fail("must be true or false");
                break;
            case FieldKind.Timestamp when value.ValueKind != JsonValueKind.String:
                fail("must be an RFC 3339 timestamp string");
                break;
            case FieldKind.Timestamp when TryText(value, out var timestamp):
                ParseTimestamp(timestamp, "", (_, reason) => fail(reason));
                break;
            case FieldKind.Timestamp:
                fail(NotUnicode);
                break;
            case FieldKind.StringList when value.ValueKind != JsonValueKind.Array:
                fail("must be an array of strings");
                break;
            case FieldKind.StringList when value.GetArrayLength() == 0:
                fail("must not be empty");
                break;
            case FieldKind.StringList when value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || (TryText(v, out var t) && t.Length == 0)):
                fail("must be an array of non-empty strings");
                break;
            case FieldKind.StringList:
                // One reason per field is enough: the first bad item decides it.
                var reasons = new List<string>(1);
                foreach (var item in value.EnumerateArray())
                {
                    if (!TryText(item, out var itemText))
                    {
                        reasons.Add(NotUnicode);
                        continue;
                    }

                    ValidateText(itemText, field.AllowedValues, reasons.Add);
                    if (reasons.Count > 0)
                    {
                        fail(field.AllowedValues is null ? reasons[0] : "each item " + reasons[0]);
                        break;
                    }
                }

                break;
        }
    }

    private static void ValidateText(string text, IReadOnlyList<string>? allowed, Action<string> fail)
    {
        if (Unstorable(text) is { } reason)
        {
            fail(reason);
        }
        else if (allowed is not null)
        {
            if (!allowed.Contains(text))
            {
                fail($"must be one of {string.Join(", ", allowed)}");
            }
        }
        else if (CommunicationContent.Refusal(text) is { } refusal)
        {
            fail(refusal);
        }
    }

    private static string? RequiredString(JsonElement e, string name, Action<string, string> fail)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            fail(name, "required attribute is missing");
            return null;
        }

        return StringValue(value, name, fail);
    }

    private static string? OptionalString(JsonElement e, string name, Action<string, string> fail) =>
        e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? StringValue(value, name, fail) : null;

    private static string? StringValue(JsonElement value, string name, Action<string, string> fail)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            fail(name, "must be a string");
            return null;
        }

        if (!TryText(value, out var text))
        {
            fail(name, NotUnicode);
            return null;
        }

        if (Unstorable(text) is { } reason)
        {
            fail(name, reason);
            return null;
        }

        return text;
    }

    /// <summary>
    /// The envelope is stored in clear and covered by the leaf, so protection, retention and erasure cannot reach
    /// it: an attribute that carries content, or a person's number or URI (EVENTS.md: the CloudEvents subject
    /// must not carry personal data), is refused. Identifiers go in the data fields the catalogue classifies.
    /// </summary>
    /// <param name="numbersToo">Also refuse a bare number of 7 digits or more (for ids, counters look like that).</param>
    private static void RefuseInEnvelope(string name, string? value, Action<string, string> fail, bool numbersToo)
    {
        if (value is null)
        {
            return;
        }

        if (CommunicationContent.Refusal(value) is { } content)
        {
            fail(name, content);
        }
        else if (LooksLikePersonalIdentifier(value, numbersToo))
        {
            fail(name, "must not carry personal data (a telephone number or a person's URI): put identifiers in the data fields the catalogue classifies");
        }
    }

    private static bool LooksLikePersonalIdentifier(string value, bool numbersToo)
    {
        value = value.Trim().TrimStart('<');
        var scheme = value.IndexOf(':');
        if (scheme > 0 && value[..scheme].ToLowerInvariant() is "tel" or "sip" or "sips" or "mailto" or "im" or "pres")
        {
            return true;
        }

        if (!numbersToo)
        {
            return false;
        }

        // A telephone number, however written: nothing but digits and separators, and either a leading '+' with
        // 7 digits or more, or 7 digits in a row (a date or an IPv4 address has neither).
        var digits = value.Count(char.IsAsciiDigit);
        var longestRun = 0;
        for (int i = 0, run = 0; i < value.Length; i++)
        {
            run = char.IsAsciiDigit(value[i]) ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }

        return digits >= 7 && (value[0] == '+' || longestRun >= 7) && value.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '.' or '(' or ')');
    }

    /// <summary>The string, or false when it escapes a lone surrogate (no Unicode string has it).</summary>
    private static bool TryText(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>Why a string cannot be an audit value (nothing to protect or find, or nothing PostgreSQL stores), or null.</summary>
    private static string? Unstorable(string text) =>
        text.Length == 0 ? "must not be empty"
        : string.IsNullOrWhiteSpace(text) ? "must not be blank"
        : text.Contains('\0') ? "must not contain U+0000 (PostgreSQL stores no such JSON string)"
        : null;

    /// <summary>
    /// A member name the emitter chose, as a refusal may quote it: an identifier-like name (what fields are
    /// called) as it is; any other by its length only, since it could be a phone number, a URI or content sent as
    /// a name, and refusals go to logs and dead letters.
    /// </summary>
    private static string Quotable(string name)
    {
        var identifier = name.Length is > 0 and <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
        return identifier ? name : $"(a name of {name.Length} characters)";
    }

    private static DateTimeOffset? ParseTimestamp(string text, string name, Action<string, string> fail)
    {
        // RFC 3339 §5.6 exactly: a date, 'T', a time (fraction optional) and Z or a ±hh:mm offset, nothing between.
        if (!Rfc3339().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            fail(name, "must be an RFC 3339 timestamp with an offset, e.g. 2026-11-28T10:15:00Z");
            return null;
        }

        return parsed.ToUniversalTime();
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
