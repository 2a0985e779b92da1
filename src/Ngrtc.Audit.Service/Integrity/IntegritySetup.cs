namespace Ngrtc.Audit.Service.Integrity;

public static class IntegritySetup
{
    /// <summary>The sealer (a hosted service) and the tree-head keys; production refuses to start without a key.</summary>
    public static WebApplicationBuilder AddIntegrity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SealerOptions>().BindConfiguration(SealerOptions.Section);
        builder.Services.AddOptions<TreeHeadKeyOptions>().BindConfiguration(TreeHeadKeyOptions.Section);
        builder.Services.AddSingleton<TreeHeadSigning>();
        builder.Services.AddSingleton<Sealer>();
        if (builder.Configuration.GetSection(SealerOptions.Section).Get<SealerOptions>()?.Enabled ?? true)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Sealer>());
        }

        return builder;
    }
}
