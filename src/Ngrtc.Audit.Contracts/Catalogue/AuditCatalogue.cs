using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;

namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>
/// The catalogue of event types emitters may send, read once from the contract records: the one source
/// of truth for validation, classification and retention.
/// </summary>
public static class AuditCatalogue
{
    private static readonly FrozenDictionary<string, EventDescriptor> ByType = typeof(AuditCatalogue).Assembly
        .GetTypes()
        .Where(t => t.GetCustomAttribute<AuditEventTypeAttribute>() is not null)
        .Select(EventDescriptor.For)
        .ToFrozenDictionary(d => d.Type, StringComparer.Ordinal);

    public static IReadOnlyCollection<EventDescriptor> All => ByType.Values;

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
    public IEnumerable<FieldDescriptor> PersonalFields => Fields.Where(f => f.PersonalData is not null);

    internal static EventDescriptor For(Type contract)
    {
        var attribute = contract.GetCustomAttribute<AuditEventTypeAttribute>()!;
        var nullability = new NullabilityInfoContext();
        var fields = contract.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType == contract)
            .Select(p => FieldDescriptor.For(p, nullability))
            .ToList();
        return new EventDescriptor(attribute.Type, contract, attribute.Retention, attribute.ProcessingActivity, fields);
    }
}

public enum FieldKind
{
    String,
    Integer,
    Timestamp,
    StringList,
}

/// <summary>One property of an event's <c>data</c>, as it appears in JSON.</summary>
public sealed record FieldDescriptor(
    string JsonName,
    FieldKind Kind,
    bool Required,
    IReadOnlyList<string>? AllowedValues,
    PersonalDataAttribute? PersonalData)
{
    internal static FieldDescriptor For(PropertyInfo property, NullabilityInfoContext nullability)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var kind = type switch
        {
            _ when type == typeof(string) => FieldKind.String,
            _ when type == typeof(int) || type == typeof(long) => FieldKind.Integer,
            _ when type == typeof(DateTimeOffset) => FieldKind.Timestamp,
            _ when typeof(IEnumerable<string>).IsAssignableFrom(type) => FieldKind.StringList,
            _ => throw new NotSupportedException($"{property.DeclaringType?.Name}.{property.Name}: unsupported contract type {type.Name}"),
        };
        var required = nullability.Create(property).ReadState == NullabilityState.NotNull;
        var allowed = property.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => (string)v!).ToArray();
        return new FieldDescriptor(
            JsonNamingPolicy.CamelCase.ConvertName(property.Name),
            kind,
            required,
            allowed,
            property.GetCustomAttribute<PersonalDataAttribute>());
    }
}
