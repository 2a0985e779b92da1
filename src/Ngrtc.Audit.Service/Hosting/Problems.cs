using Microsoft.AspNetCore.Mvc;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>RFC 9457 problem details the API answers with; each names the offending field, never its value.</summary>
public static class Problems
{
    public const string InvalidInputType = "urn:ngrtc:audit:problem:invalid-input";
    public const string UnsupportedMediaTypeType = "urn:ngrtc:audit:problem:unsupported-media-type";
    public const string NotFoundType = "urn:ngrtc:audit:problem:not-found";

    public static ProblemDetails Describe(IReadOnlyList<FieldError> errors) => new()
    {
        Type = InvalidInputType,
        Title = "Invalid input",
        Status = StatusCodes.Status400BadRequest,
        Detail = string.Join("; ", errors),
        Extensions = { ["errors"] = errors },
    };

    public static IResult InvalidInput(IReadOnlyList<FieldError> errors) =>
        Results.Problem(Describe(errors));

    public static IResult InvalidParameter(string field, string reason) =>
        InvalidInput([new FieldError(field, reason)]);

    public static IResult UnsupportedMediaType(FieldError error) => Results.Problem(new ProblemDetails
    {
        Type = UnsupportedMediaTypeType,
        Title = "Unsupported media type",
        Status = StatusCodes.Status415UnsupportedMediaType,
        Detail = error.ToString(),
        Extensions = { ["errors"] = new[] { error } },
    });

    public static IResult NotFound(string what) => Results.Problem(new ProblemDetails
    {
        Type = NotFoundType,
        Title = "Not found",
        Status = StatusCodes.Status404NotFound,
        Detail = what,
    });
}
