using System.Collections.Frozen;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;

namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>
/// The catalogue of event types emitters may send, read once from the contract records: the one source
/// of truth for validation, classification, retention, schemas and documentation.
/// </summary>
public static class AuditCatalogue
{
    /// <summary>
    /// The largest integer an event field may hold: 2^53 − 1, the last one a double (hence the leaf's RFC 8785
    /// canonical form) tells apart from its neighbours.
    /// </summary>
    public const long MaxSafeInteger = 9_007_199_254_740_991;

    private static readonly FrozenDictionary<string, EventDescriptor> ByType = typeof(AuditCatalogue).Assembly
        .GetTypes()
        .Where(t => t.GetCustomAttribute<AuditEventTypeAttribute>() is not null)
        .Select(EventDescriptor.For)
        .ToFrozenDictionary(d => d.Type, StringComparer.Ordinal);

    public static IReadOnlyCollection<EventDescriptor> All => ByType.Values;

    /// <summary>Every type in ordinal order of its name: the order of the docs and the schema list.</summary>
    public static IReadOnlyList<EventDescriptor> Ordered { get; } = [.. ByType.Values.OrderBy(d => d.Type, StringComparer.Ordinal)];

    public static EventDescriptor? Find(string type) => ByType.GetValueOrDefault(type);

    public static EventDescriptor Get(string type) =>
        Find(type) ?? throw new ArgumentOutOfRangeException(nameof(type), type, "Not an event type of the catalogue.");
}

/// <summary>One event type: its contract record, retention class, processing activity and fields.</summary>
public sealed record EventDescriptor(
    string Type,
    Type ContractType,
    RetentionClass Retention,
    string ProcessingActivity,
    IReadOnlyList<FieldDescriptor> Fields)
{
    /// <summary>What the event records, from the record's <c>[Description]</c>.</summary>
    public string Description { get; init; } = "";

    /// <summary>Which network function reports it.</summary>
    public string Emitter { get; init; } = "";

    public string? RetentionNote { get; init; }

    /// <summary>The class that applies instead of <see cref="Retention"/> when the event names a person; see <see cref="RetentionFor"/>.</summary>
    public RetentionClass? RetentionWhenPersonalData { get; init; }

    /// <summary>The documented example; <see cref="AuditEventExample.ToCloudEvent"/> writes it as a CloudEvent.</summary>
    public AuditEventExample Example { get; init; } = null!;

    public IEnumerable<FieldDescriptor> PersonalFields => Fields.Where(f => f.PersonalData is not null);

    /// <summary>The fields by JSON name, built once: validation looks every incoming field up here.</summary>
    public IReadOnlyDictionary<string, FieldDescriptor> FieldsByName =>
        _fieldsByName ??= Fields.ToFrozenDictionary(f => f.JsonName, StringComparer.Ordinal);

    private FrozenDictionary<string, FieldDescriptor>? _fieldsByName;

    /// <summary>The retention class of one event of this type, given its validated <c>data</c> object.</summary>
    public RetentionClass RetentionFor(JsonElement data) =>
        RetentionWhenPersonalData is { } elevated
        && PersonalFields.Any(f => data.TryGetProperty(f.JsonName, out var value) && value.ValueKind != JsonValueKind.Null)
            ? elevated
            : Retention;

    internal static EventDescriptor For(Type contract)
    {
        var attribute = contract.GetCustomAttribute<AuditEventTypeAttribute>()!;
        var nullability = new NullabilityInfoContext();
        var fields = contract.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType == contract)
            .Select(p => FieldDescriptor.For(p, nullability))
            .ToList();
        var example = contract.GetProperty(nameof(IAuditEventData.Example), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as AuditEventExample
            ?? throw new NotSupportedException($"{contract.Name}: a contract of the catalogue implements {nameof(IAuditEventData)} with an example.");
        if (example.Data.GetType() != contract)
        {
            throw new NotSupportedException($"{contract.Name}: its example's data is a {example.Data.GetType().Name}.");
        }

        return new EventDescriptor(attribute.Type, contract, attribute.Retention, attribute.ProcessingActivity, fields)
        {
            Description = contract.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "",
            Emitter = attribute.Emitter,
            RetentionNote = attribute.RetentionNote,
            RetentionWhenPersonalData = contract.GetCustomAttribute<RetentionWhenPersonalDataAttribute>()?.Retention,
            Example = example,
        };
    }
}

public enum FieldKind
{
    String,
    Integer,
    Timestamp,
    StringList,
    Boolean,
}

/// <summary>One property of an event's <c>data</c>, as it appears in JSON.</summary>
/// <param name="AllowedValues">The values a string may take, or each item of a string list; null when free.</param>
public sealed record FieldDescriptor(
    string JsonName,
    FieldKind Kind,
    bool Required,
    IReadOnlyList<string>? AllowedValues,
    PersonalDataAttribute? PersonalData)
{
    /// <summary>What the field means, from the property's <c>[Description]</c>.</summary>
    public string Description { get; init; } = "";

    internal static FieldDescriptor For(PropertyInfo property, NullabilityInfoContext nullability)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var kind = type switch
        {
            _ when type == typeof(string) => FieldKind.String,
            _ when type == typeof(int) || type == typeof(long) => FieldKind.Integer,
            _ when type == typeof(bool) => FieldKind.Boolean,
            _ when type == typeof(DateTimeOffset) => FieldKind.Timestamp,
            _ when typeof(IEnumerable<string>).IsAssignableFrom(type) => FieldKind.StringList,
            _ => throw new NotSupportedException($"{property.DeclaringType?.Name}.{property.Name}: unsupported contract type {type.Name}"),
        };
        var required = nullability.Create(property).ReadState == NullabilityState.NotNull;
        var allowed = kind == FieldKind.StringList
            ? property.GetCustomAttribute<AllowedItemsAttribute>()?.Values
            : property.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => (string)v!).ToArray();
        return new FieldDescriptor(
            JsonNamingPolicy.CamelCase.ConvertName(property.Name),
            kind,
            required,
            allowed,
            property.GetCustomAttribute<PersonalDataAttribute>())
        {
            Description = property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "",
        };
    }
}
