using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Integrity;
using Ngrtc.Audit.Service.Integrity;

namespace Ngrtc.Audit.UnitTests.Integrity;

public sealed class TreeHeadSigningTests : IDisposable
{
    private static readonly DateTimeOffset Rotation = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        oldKey.Dispose();
        newKey.Dispose();
    }

    /// <summary>A rotation as an operator configures it: the old key retired at <see cref="Rotation"/>, public half only.</summary>
    private TreeHeadKeyOptions Rotated(string current) => new()
    {
        Current = current,
        Keys =
        [
            new SigningKeyOptions { KeyId = "2025", Pem = oldKey.ExportSubjectPublicKeyInfoPem(), NotAfter = Rotation },
            new SigningKeyOptions { KeyId = "2026", Pem = newKey.ExportPkcs8PrivateKeyPem(), NotBefore = Rotation },
        ],
    };

    private static TimeProvider At(DateTimeOffset now) => new FixedClock(now);

    [Fact]
    public void the_served_key_set_and_verifier_carry_each_keys_period()
    {
        using var signing = new TreeHeadSigning(Options.Create(Rotated("2026")), At(Rotation.AddDays(1)));

        var published = Jwks.Read(signing.Jwks);
        published["2025"].Validity.ShouldBe(new KeyValidity(null, Rotation));
        published["2026"].Validity.ShouldBe(new KeyValidity(Rotation, null));
        var late = new TreeHeadSigner(oldKey, "2025").Sign("op-1", 1, new byte[32], Rotation.AddDays(1), null);
        signing.Verifier.Verify(late.Jws).Failure.ShouldBe(TreeHeadFailure.OutsideKeyValidity);
    }

    [Fact]
    public void a_current_key_that_is_not_valid_now_is_refused_at_start()
    {
        // A current key whose period has ended...
        var retired = Rotated("2026");
        retired.Keys[1] = new SigningKeyOptions { KeyId = "2026", Pem = newKey.ExportPkcs8PrivateKeyPem(), NotAfter = Rotation };
        Should.Throw<InvalidOperationException>(() => new TreeHeadSigning(Options.Create(retired), At(Rotation.AddSeconds(1))))
            .Message.ShouldContain("not now");

        // ...and a successor made current before its period begins.
        Should.Throw<InvalidOperationException>(() => new TreeHeadSigning(Options.Create(Rotated("2026")), At(Rotation.AddSeconds(-1))))
            .Message.ShouldContain("not now");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
