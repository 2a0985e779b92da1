using System.Security.Cryptography;

namespace Ngrtc.Audit.Integrity;

/// <summary>Loads tree-head keys from configuration text.</summary>
public static class TreeHeadKeys
{
    /// <summary>
    /// An ECDsa key from PEM text: a PKCS#8 private key ("BEGIN PRIVATE KEY", as <c>openssl genpkey -algorithm EC
    /// -pkeyopt ec_paramgen_curve:P-256</c> writes it), a SEC 1 one ("BEGIN EC PRIVATE KEY") or a public key
    /// ("BEGIN PUBLIC KEY"). Throws <see cref="ArgumentException"/>, without echoing the text, when it is none of
    /// those, is encrypted, or is not on P-256. The caller disposes the key.
    /// </summary>
    public static ECDsa FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();

            // Configuration errors get logged: name the problem, never the text.
            throw new ArgumentException("The tree-head key is not an unencrypted PEM EC key (PKCS#8 'PRIVATE KEY', 'EC PRIVATE KEY' or 'PUBLIC KEY').", nameof(pem));
        }

        try
        {
            Jose.PublicP256(key, "The tree-head key");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
