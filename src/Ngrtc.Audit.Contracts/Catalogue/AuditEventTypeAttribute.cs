namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>Marks a record as the <c>data</c> of one CloudEvent type of the catalogue.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AuditEventTypeAttribute(string type, RetentionClass retention, string processingActivity) : Attribute
{
    /// <summary>The CloudEvents <c>type</c>, versioned, e.g. <c>ngrtc.exposure.disclosed.v1</c>.</summary>
    public string Type { get; } = type;

    public RetentionClass Retention { get; } = retention;

    /// <summary>The record of processing activities entry (GDPR Art 30) the event belongs to; see <see cref="ProcessingActivities"/>.</summary>
    public string ProcessingActivity { get; } = processingActivity;

    /// <summary>Which network function reports it, in words, e.g. <c>IMS AS (Nimsas_SessionEventControl) → DCSF</c>.</summary>
    public string Emitter { get; init; } = "";

    /// <summary>What the retention class alone does not say, e.g. that the record lives as long as a binding.</summary>
    public string? RetentionNote { get; init; }
}

/// <summary>
/// The event is kept under another retention class when it names a person (any personal-data field is present),
/// e.g. an SBI authorisation record is NF-to-NF security (S) unless it concerns a subscriber (A).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RetentionWhenPersonalDataAttribute(RetentionClass retention) : Attribute
{
    public RetentionClass Retention { get; } = retention;
}

/// <summary>The role a person plays in an event; erasure for one never touches the other's data.</summary>
public enum PersonRole
{
    Caller,
    Callee,
    Target,
    User,
    Owner,
    Employee,
    Subject,
}

/// <summary>Marks a property as personal data: an identifier of a person, with its category and role.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class PersonalDataAttribute(string category, PersonRole role) : Attribute
{
    /// <summary>One of <see cref="PersonalDataCategories"/>, e.g. <c>impu</c>, <c>tel-uri</c>, <c>avatar-id</c>.</summary>
    public string Category { get; } = category;

    public PersonRole Role { get; } = role;
}

/// <summary>
/// The values each item of a list field may take. <c>AllowedValues</c> would compare the list itself,
/// so a list's vocabulary has an attribute of its own.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class AllowedItemsAttribute(params string[] values) : Attribute
{
    public IReadOnlyList<string> Values { get; } = values;
}
