using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
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

    private static TreeHeadSigning Signing(TreeHeadKeyOptions options) => new(Options.Create(options), NullLogger<TreeHeadSigning>.Instance);

    /// <summary>
    /// A rotation as an operator rolls it out before it happens: both private keys configured, the old one retiring
    /// at <see cref="Rotation"/> and the new one beginning then; the old one is still Current.
    /// </summary>
    private TreeHeadKeyOptions Rotating(string? oldNotAfter = "2026-06-01T00:00:00Z") => new()
    {
        Current = "2025",
        Keys =
        [
            new SigningKeyOptions { KeyId = "2025", Pem = oldKey.ExportPkcs8PrivateKeyPem(), NotAfter = oldNotAfter },
            new SigningKeyOptions { KeyId = "2026", Pem = newKey.ExportPkcs8PrivateKeyPem(), NotBefore = "2026-06-01T00:00:00Z" },
        ],
    };

    [Fact]
    public void the_key_whose_period_covers_the_heads_time_signs_it_so_the_rotation_happens_at_its_moment()
    {
        using var signing = Signing(Rotating());
        signing.SignerFor(Rotation.AddMilliseconds(-1))!.KeyId.ShouldBe("2025");
        signing.SignerFor(Rotation)!.KeyId.ShouldBe("2026");
        signing.SignerFor(Rotation.AddYears(5))!.KeyId.ShouldBe("2026");

        // Each head so signed verifies; the old key's signature on a head dated at the rotation does not.
        var before = signing.SignerFor(Rotation.AddSeconds(-1))!.Sign("op-1", 1, new byte[32], Rotation.AddSeconds(-1), null);
        var after = signing.SignerFor(Rotation)!.Sign("op-1", 2, new byte[32], Rotation, before.Hash());
        TreeHeadChain.Verify([before.Jws, after.Jws], signing.Verifier).IsValid.ShouldBeTrue();
        signing.Verifier.Verify(new TreeHeadSigner(oldKey, "2025").Sign("op-1", 2, new byte[32], Rotation, null).Jws).Failure.ShouldBe(TreeHeadFailure.OutsideKeyValidity);
    }

    [Fact]
    public void a_successor_takes_over_when_its_period_begins_even_if_the_old_key_was_left_open()
    {
        using var signing = Signing(Rotating(oldNotAfter: null));
        signing.SignerFor(Rotation.AddSeconds(-1))!.KeyId.ShouldBe("2025");
        signing.SignerFor(Rotation)!.KeyId.ShouldBe("2026");
    }

    [Fact]
    public void no_key_signs_a_head_dated_outside_every_period_and_the_service_still_starts()
    {
        var options = Rotating();
        options.Keys.RemoveAt(1);
        using var signing = Signing(options);
        signing.SignerFor(Rotation).ShouldBeNull();
        Jwks.Read(signing.Jwks)["2025"].Validity.ShouldBe(new KeyValidity(null, Rotation));
    }

    [Fact]
    public void the_served_key_set_carries_each_keys_period_and_a_bound_without_an_offset_is_utc()
    {
        var options = Rotating();
        options.Keys[1].NotBefore = "2026-06-01T00:00:00";
        using var signing = Signing(options);

        var published = Jwks.Read(signing.Jwks);
        published["2025"].Validity.ShouldBe(new KeyValidity(null, Rotation));
        published["2026"].Validity.ShouldBe(new KeyValidity(Rotation, null));
    }

    [Theory]
    [InlineData("2026-06-01T00:00:00.5Z", null, "must be a whole second")]
    [InlineData("first of June", null, "is not a date and time")]
    [InlineData("06/01/2026", null, "is not a date and time")]
    [InlineData("2026-06-01", null, "is not a date and time")]
    [InlineData("2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z", "valid for no time at all")]
    [InlineData("2026-06-01T00:00:00Z", "2026-01-01T00:00:00Z", "valid for no time at all")]
    public void a_bound_that_is_not_a_whole_second_rfc_3339_time_or_an_empty_period_is_refused_at_start(string notBefore, string? notAfter, string reason)
    {
        var options = Rotating();
        options.Keys[1].NotBefore = notBefore;
        options.Keys[1].NotAfter = notAfter;
        Should.Throw<InvalidOperationException>(() => Signing(options)).Message.ShouldContain(reason);
    }

    [Fact]
    public void a_key_id_given_twice_is_refused()
    {
        var options = Rotating();
        options.Keys[1].KeyId = "2025";
        Should.Throw<InvalidOperationException>(() => Signing(options)).Message.ShouldContain("twice");
    }

    [Fact]
    public void current_wins_among_keys_whose_periods_began_at_the_same_moment()
    {
        var options = Rotating(oldNotAfter: null);
        options.Keys[0].NotBefore = "2026-06-01T00:00:00Z";
        options.Current = "2026";
        using (var signing = Signing(options))
        {
            signing.SignerFor(Rotation)!.KeyId.ShouldBe("2026");
        }

        options.Current = "2025";
        using var other = Signing(options);
        other.SignerFor(Rotation)!.KeyId.ShouldBe("2025");
    }

    [Fact]
    public void current_must_name_a_configured_key_with_its_private_part()
    {
        var unknown = Rotating();
        unknown.Current = "2027";
        Should.Throw<InvalidOperationException>(() => Signing(unknown)).Message.ShouldContain("private part");

        var publicOnly = Rotating();
        publicOnly.Keys[0].Pem = oldKey.ExportSubjectPublicKeyInfoPem();
        Should.Throw<InvalidOperationException>(() => Signing(publicOnly)).Message.ShouldContain("private part");
    }
}
