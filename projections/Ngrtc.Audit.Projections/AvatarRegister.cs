using Ngrtc.Audit.Contracts.Avatars;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Projections;

/// <summary>
/// The avatar register (WT2), per avatar pseudonym (never the avatar id: it identifies its owner): authorisation
/// checks by result and denial cause, deliveries by rendering mode, list fetches by BAR domain (trusted or
/// untrusted), model changes and how many of them were biometric-derived (GDPR Art 9). Rows of
/// <see cref="RegisterCountsProjection"/>, register <c>avatars</c>. An avatar's pseudonym changes with the epoch.
/// </summary>
public static class AvatarRegister
{
    public static class Metrics
    {
        public const string Authorizations = "authorizations";
        public const string Denials = "denials";
        public const string Deliveries = "deliveries";
        public const string BarDomain = "bar-domain";
        public const string ModelChanges = "model-changes";
        public const string BiometricDerived = "biometric-derived";
    }

    /// <summary>What one recorded event adds to the avatar register; null for other types (and for avatars no longer pseudonymised: retention blanked them).</summary>
    public static RegisterFacts? Facts(AuditEventRecorded e)
    {
        var data = e.Data;
        var avatar = RegisterFacts.Text(data, "avatarId");
        switch (e.Envelope.Type)
        {
            case AvatarAuthorizationChecked.Type when avatar is not null:
            {
                var result = RegisterFacts.Text(data, "result") ?? "";
                List<RegisterCount> counts = [new(AuditRegisters.Avatars, avatar, Metrics.Authorizations, result)];
                if (result == "denied")
                {
                    counts.Add(new(AuditRegisters.Avatars, avatar, Metrics.Denials, RegisterFacts.Text(data, "cause") ?? "unknown"));
                }

                return new RegisterFacts(counts, []);
            }

            case AvatarRepresentationDelivered.Type when avatar is not null:
                return new RegisterFacts([new(AuditRegisters.Avatars, avatar, Metrics.Deliveries, RegisterFacts.Text(data, "renderingMode") ?? "")], []);

            case AvatarListFetched.Type:
            {
                var domain = RegisterFacts.Text(data, "barDomain") ?? "";
                return new RegisterFacts(
                    [.. RegisterFacts.Texts(data, "avatarIds").Distinct().Select(a => new RegisterCount(AuditRegisters.Avatars, a, Metrics.BarDomain, domain))],
                    []);
            }

            case AvatarModelChanged.Type when avatar is not null:
            {
                List<RegisterCount> counts = [new(AuditRegisters.Avatars, avatar, Metrics.ModelChanges, RegisterFacts.Text(data, "change") ?? "")];
                if (RegisterFacts.Flag(data, "biometricDerived"))
                {
                    counts.Add(new(AuditRegisters.Avatars, avatar, Metrics.BiometricDerived, "true"));
                }

                return new RegisterFacts(counts, []);
            }

            default:
                return null;
        }
    }
}
