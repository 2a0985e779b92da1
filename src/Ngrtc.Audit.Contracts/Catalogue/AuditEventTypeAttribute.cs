namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>Marks a record as the <c>data</c> of one CloudEvent type of the catalogue.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AuditEventTypeAttribute(string type, RetentionClass retention, string processingActivity) : Attribute
{
    /// <summary>The CloudEvents <c>type</c>, versioned, e.g. <c>ngrtc.exposure.disclosed.v1</c>.</summary>
    public string Type { get; } = type;

    public RetentionClass Retention { get; } = retention;

    public string ProcessingActivity { get; } = processingActivity;
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
    /// <summary>e.g. <c>impu</c>, <c>tel-uri</c>, <c>avatar-id</c>.</summary>
    public string Category { get; } = category;

    public PersonRole Role { get; } = role;
}
