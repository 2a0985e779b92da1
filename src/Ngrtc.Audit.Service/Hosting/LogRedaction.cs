using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>The data classes the service's logs know (Microsoft.Extensions.Compliance).</summary>
public static class DataClasses
{
    public const string Taxonomy = "ngrtc";

    /// <summary>An identifier of a person (EVENTS.md "PD"): never written to a log.</summary>
    public static DataClassification PersonalData { get; } = new(Taxonomy, nameof(PersonalData));
}

/// <summary>
/// Marks a logging parameter (<c>[LoggerMessage]</c>) or property as personal data: the log shows
/// <see cref="PersonalDataRedactor.Marker"/> in its place, whatever the sink.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalDataLogAttribute() : DataClassificationAttribute(DataClasses.PersonalData);

/// <summary>Replaces a classified value by a fixed marker: nothing of it (not even its length) reaches a log.</summary>
public sealed class PersonalDataRedactor : Redactor
{
    public const string Marker = "[personal data]";

    public override int GetRedactedLength(ReadOnlySpan<char> input) => Marker.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        Marker.CopyTo(destination);
        return Marker.Length;
    }
}

public static class LogRedaction
{
    /// <summary>
    /// Classification-aware redaction for every log: parameters marked <see cref="PersonalDataLogAttribute"/>
    /// are redacted, and so is anything classified by another taxonomy (the fallback), so a library that
    /// classifies its own data never leaks it either.
    /// </summary>
    public static WebApplicationBuilder AddLogRedaction(this WebApplicationBuilder builder)
    {
        builder.Logging.EnableRedaction();
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<PersonalDataRedactor>(new DataClassificationSet(DataClasses.PersonalData));
            redaction.SetFallbackRedactor<PersonalDataRedactor>();
        });
        return builder;
    }
}
