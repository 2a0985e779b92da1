using System.Text.Json;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Domain;

/// <summary>
/// An emitter's audit event as the store holds it. No identifier of a person is stored in clear: every
/// personal-data value of <see cref="Data"/> is replaced by its epoch pseudonym, and its value is kept only
/// encrypted, under a key of that one person, in <see cref="Protected"/>. Both maps are keyed by the value's
/// place: the JSON field name, or <c>name[index]</c> for an item of a list field. <see cref="PolicyVersion"/> is the
/// version of the policy in force when the service accepted the event (it classified it); the integrity log's leaf
/// covers it, so a later policy never silently re-decides the past. Null for events stored before policies existed.
/// </summary>
public sealed record AuditEventRecorded(
    AuditEnvelope Envelope,
    JsonElement Data,
    IReadOnlyDictionary<string, string> Pseudonyms,
    IReadOnlyDictionary<string, ProtectedField> Protected,
    RetentionClass Retention,
    DateTimeOffset? RedactedAt = null,
    string? PolicyVersion = null);

/// <summary>
/// A personal-data value at rest: its ciphertext (<c>enc1.&lt;keyId&gt;.…</c>, AES-256-GCM; null once retention
/// removed it) and the SHA-256 of that ciphertext (base64), which stays: the integrity log hashes the digest,
/// so erasing keys or removing ciphertext never changes a leaf.
/// </summary>
public sealed record ProtectedField(string? Ciphertext, string Digest);
