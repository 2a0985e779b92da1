using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts.Avatars;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Contracts.Consent;
using Ngrtc.Audit.Contracts.DataChannels;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Contracts.Identity;
using Ngrtc.Audit.Contracts.Incidents;
using Ngrtc.Audit.Contracts.Sbi;

namespace Ngrtc.Audit.Service.Simulation;

/// <summary>
/// Reproducible simulated NG-RTC phase 2 audit traffic of every catalogue type, for the demo, load tests and
/// examples. Each step plays one scenario (an IMS call with data channels and avatars, a DC AS exposure request,
/// an event exposure subscription, an enterprise call with a third-party identity, a consent, an occasional
/// breach…) whose events share a <c>correlationid</c>, and hands them out one by one. Pure: the seed and the
/// times passed in decide everything. Numbers are fictitious (+4915550…, a range reserved for drama), domains
/// are under example.org.
/// </summary>
public sealed class SimulatedTraffic
{
    /// <summary>The single tenant of the demo (README, ops/run).</summary>
    public const string DemoTenant = "demo-operator";

    private const string ServiceProvision = "dpv:ServiceProvision";
    private const string FraudPrevention = "dpv:FraudPreventionAndDetection";
    private const string AccessControl = "dpv:EnforceAccessControl";

    // The hash of nothing: what a verifier records when a call carried no PASSporT.
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static readonly string[] DcApplications =
        ["dcas-ar-navigator", "dcas-screen-share", "dcas-avatar-studio", "dcas-live-translate", "dcas-remote-assist"];

    private static readonly string[] DataCategories = ["session-event", "dc-stream-info", "media-info", "location-cell"];

    private static readonly string[] ExposedEventTypes =
        ["BOOTSTRAP_DC_ESTABLISHED", "BOOTSTRAP_DC_RELEASED", "APP_DC_ESTABLISHED", "APP_DC_RELEASED", "APP_DC_INTERWORKING"];

    private static readonly (string Id, string Domain, string[] Staff)[] Enterprises =
    [
        ("ent-acme-logistics", "acme-logistics.example.org", ["anna.schmidt", "jonas.weber", "lea.fischer", "dispatch"]),
        ("ent-globex-care", "globex-care.example.org", ["mehmet.yilmaz", "sofia.rossi", "hotline"]),
        ("ent-initech-support", "initech-support.example.org", ["paul.meyer", "service-desk"]),
    ];

    private static readonly string[] ConsentChannels = ["app", "web", "ivr", "retail", "contract"];

    private static readonly string[] ConsentPurposes = [ServiceProvision, "dpv:Personalisation", "dpv:ServiceOptimisation"];

    private readonly int _seed;
    private readonly int _subscribersPerTenant;
    private readonly Random _random;
    private readonly TenantState[] _tenants;
    private readonly Queue<Pending> _pending = new();
    private long _counter;

    // The time of the scenario being played: expiries and deadlines are relative to it.
    private DateTimeOffset _now;

    /// <summary>Traffic of <paramref name="tenants"/> operators named <c>operator-1</c> … <c>operator-K</c>.</summary>
    public SimulatedTraffic(int seed, int tenants = 1, int subscribersPerTenant = 200)
        : this(seed, [.. Enumerable.Range(1, tenants).Select(i => $"operator-{i}")], subscribersPerTenant)
    {
    }

    /// <summary>Traffic of the named operators, e.g. <c>[SimulatedTraffic.DemoTenant]</c>.</summary>
    /// <remarks>Requires at least one tenant and at most 100,000 subscribers in all (five digits of the number range).</remarks>
    public SimulatedTraffic(int seed, IReadOnlyList<string> tenantNames, int subscribersPerTenant = 200)
    {
        ArgumentOutOfRangeException.ThrowIfZero(tenantNames.Count, nameof(tenantNames));
        ArgumentOutOfRangeException.ThrowIfLessThan(subscribersPerTenant, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)tenantNames.Count * subscribersPerTenant, 100_000, nameof(subscribersPerTenant));
        _seed = seed;
        _subscribersPerTenant = subscribersPerTenant;
        _random = new Random(seed);
        _tenants = [.. tenantNames.Select((name, index) => new TenantState(name, index, Guid))];
    }

    public IReadOnlyList<string> Tenants => [.. _tenants.Select(t => t.Name)];

    public string NextEvent(DateTimeOffset now) => Next(now).ToJsonString();

    public string NextBatch(DateTimeOffset now, int size) =>
        new JsonArray([.. Enumerable.Range(0, size).Select(_ => (JsonNode)Next(now))]).ToJsonString();

    /// <summary>The next event as a CloudEvent JSON object, stamped <paramref name="now"/>.</summary>
    public JsonObject Next(DateTimeOffset now)
    {
        while (_pending.Count == 0)
        {
            PlayScenario(now);
        }

        var e = _pending.Dequeue();
        return AuditCloudEvent.Create(
            e.Data,
            $"sim-{_seed}-{++_counter}",
            AuditCloudEvent.Source(e.NfType, e.Tenant.Instance(e.NfType)),
            now,
            e.Tenant.Name,
            e.NfType,
            e.Purpose,
            e.LegalBasis,
            e.CorrelationId);
    }

    private void PlayScenario(DateTimeOffset now)
    {
        _now = now;
        var tenant = Pick(_tenants);
        var roll = _random.Next(100);
        switch (roll)
        {
            case < 32: DataChannelCall(tenant); break;
            case < 45: ExposureRequest(tenant); break;
            case < 52: SubscriptionChange(tenant); break;
            case < 70: EnterpriseCall(tenant); break;
            case < 74: EnterpriseAdministration(tenant); break;
            case < 82: AvatarManagement(tenant); break;
            case < 98: ConsentChange(tenant); break;
            default: Breach(tenant); break;
        }
    }

    /// <summary>WT3 and WT2: an IMS call with a bootstrap data channel, often an application data channel, sometimes an avatar.</summary>
    private void DataChannelCall(TenantState t)
    {
        var caller = Subscriber(t);
        var callee = OtherSubscriber(t, caller);
        var icid = $"icid-{Hex(4)}";
        var sessionId = $"sess-{Hex(4)}";
        var callerImpu = t.SipImpu(caller);
        var calleeImpu = t.SipImpu(callee);
        var media = Chance(30) ? new[] { "AUDIO", "VIDEO", "DC" } : ["AUDIO", "DC"];
        var streams = 1 + _random.Next(4);

        void Session(string eventType, string initiator = "SERVED_IMS_SUBSCRIBER") =>
            Emit(t, "IMSAS", ServiceProvision, "contract", icid, new ImsSessionEventNotified(
                sessionId, eventType, initiator, "ORIGINATING_IMS_SESSION", media, streams, callerImpu, calleeImpu));

        Session("SESSION_ESTABLISHMENT_REQUEST");
        MediaControlCall(t, icid, callerImpu);
        Emit(t, "DCSF", ServiceProvision, "contract", icid, new DcMediaInstructionIssued(
            sessionId, "media-1", "DC", "TERMINATE_AND_ORIGINATE_MEDIA"));
        Emit(t, Chance(70) ? "DCSF" : "MF", ServiceProvision, "contract", icid, new DcAppListServed(
            [.. DcApplications.Where(_ => Chance(60)).DefaultIfEmpty(DcApplications[0])], callerImpu, 0, sessionId));
        if (Chance(50))
        {
            Session("SESSION_ESTABLISHMENT_PROGRESS", "REMOTE_IMS_SUBSCRIBER");
        }

        Session("SESSION_ESTABLISHMENT_ALERTING", "REMOTE_IMS_SUBSCRIBER");
        if (Chance(8))
        {
            Session("SESSION_ESTABLISHMENT_FAILURE", "REMOTE_IMS_SUBSCRIBER");
            return;
        }

        Session("SESSION_ESTABLISHMENT_SUCCESS", "REMOTE_IMS_SUBSCRIBER");
        Disclose(t, icid, caller, "BOOTSTRAP_DC_ESTABLISHED", null);

        string? application = null;
        if (Chance(65))
        {
            application = Pick(DcApplications);
            Session("MEDIA_CHANGE_REQUEST");
            Emit(t, "DCSF", ServiceProvision, "contract", icid, new DcMediaInstructionIssued(
                sessionId,
                "media-2",
                application == "dcas-ar-navigator" ? "AR" : "DC",
                Chance(10) ? "REJECT_MEDIA" : "ORIGINATE_MEDIA",
                application,
                $"{application}.apps.example.org:443",
                Chance(50) ? Hash() : null));
            Session(Chance(92) ? "MEDIA_CHANGE_SUCCESS" : "MEDIA_CHANGE_FAILURE");
            Disclose(t, icid, caller, "APP_DC_ESTABLISHED", application);
            if (application == "dcas-screen-share" && Chance(30))
            {
                Disclose(t, icid, caller, "APP_DC_INTERWORKING", application);
            }

            if (application == "dcas-avatar-studio" || Chance(20))
            {
                AvatarInCall(t, icid, callerImpu, calleeImpu);
            }
        }

        Session("SESSION_TERMINATION", Chance(50) ? "SERVED_IMS_SUBSCRIBER" : "REMOTE_IMS_SUBSCRIBER");
        if (application is not null)
        {
            Emit(t, "DCSF", ServiceProvision, "contract", icid, new DcMediaInstructionIssued(sessionId, "media-2", "DC", "DELETE_MEDIA", application));
            Disclose(t, icid, caller, "APP_DC_RELEASED", application);
        }

        Disclose(t, icid, caller, "BOOTSTRAP_DC_RELEASED", null);
    }

    /// <summary>The DCSF calls Nimsas_MediaControl; now and then with an expired token, which it renews.</summary>
    private void MediaControlCall(TenantState t, string icid, string target)
    {
        var dcsf = t.NfInstanceId("DCSF");
        var token = Chance(15) ? IssueToken(t, dcsf, "IMSAS", ["nimsas-mc", "nimsas-sec"]) : t.Token(dcsf) ?? IssueToken(t, dcsf, "IMSAS", ["nimsas-mc", "nimsas-sec"]);
        if (Chance(4))
        {
            Emit(t, "IMSAS", AccessControl, "legal-obligation", icid, new SbiCallRejected(
                "Nimsas_MediaControl", "UpdateCallSession", dcsf, true, 401, "token-expired", dcsf, ["nimsas-mc"], token, null, t.Instance("DCSF") + ".example.org", target));
            token = IssueToken(t, dcsf, "IMSAS", ["nimsas-mc", "nimsas-sec"]);
        }

        Emit(t, "IMSAS", AccessControl, "legal-obligation", icid, new SbiCallAuthorized(
            "Nimsas_MediaControl", "UpdateCallSession", dcsf, true, 200, dcsf, ["nimsas-mc"], token, null, t.Instance("DCSF") + ".example.org", target));
    }

    private string IssueToken(TenantState t, string consumer, string audience, IReadOnlyList<string> scopes, string? consumerPlmn = null)
    {
        var hash = Hash();
        t.Tokens[consumer] = hash;
        Emit(t, "NRF", AccessControl, "legal-obligation", null, new NrfTokenIssued(
            t.NfInstanceId("NRF"), consumer, [audience], scopes, _now.AddHours(1), hash, consumerPlmn));
        return hash;
    }

    /// <summary>A disclosure under a subscription that covers the subscriber, if any does.</summary>
    private void Disclose(TenantState t, string icid, int subscriber, string eventType, string? application)
    {
        var subject = t.TelImpu(subscriber);
        var subscription = t.Subscriptions.FirstOrDefault(s =>
            s.EventTypes.Contains(eventType)
            && (application is null || s.Consumer == application)
            && (s.Targets is null || s.Targets.Contains(subject)));
        if (subscription is null)
        {
            return;
        }

        Emit(t, "IMSAS", ServiceProvision, "consent", icid, new ExposureDisclosed(
            subscription.Id,
            eventType,
            subscription.Consumer,
            [.. DataCategories.Where(_ => Chance(50)).DefaultIfEmpty(DataCategories[0])],
            subject));
    }

    /// <summary>WT2 within a call: the DC AS fetches the caller's avatars, the AS checks the chosen one, the BAR delivers it.</summary>
    private void AvatarInCall(TenantState t, string icid, string callerImpu, string calleeImpu)
    {
        if (t.AvatarsOf(callerImpu).Count == 0 && Chance(70))
        {
            // Most who open the avatar application create an avatar first.
            CreateAvatar(t, callerImpu, icid);
        }

        var owned = t.AvatarsOf(callerImpu);
        var trusted = Chance(85);
        Emit(t, "DCAS", ServiceProvision, "contract", icid, new AvatarListFetched(
            Pick(["bootstrap-dc", "application-dc", "preconfigured"]),
            trusted ? "trusted" : "untrusted",
            owned.Count,
            callerImpu,
            owned.Count == 0 ? null : owned));
        var avatarId = owned.Count > 0 && Chance(85) ? Pick(owned) : $"avatar-{t.Index + 1}{_random.Next(10_000):D4}";
        var denied = !owned.Contains(avatarId) || !trusted || Chance(5);
        var cause = !owned.Contains(avatarId) ? "not-owner" : !trusted ? "untrusted-bar" : "avatar-revoked";
        Emit(t, Chance(50) ? "IMSAS" : "DCAS", ServiceProvision, "contract", icid, new AvatarAuthorizationChecked(
            denied ? "denied" : "authorized", callerImpu, avatarId, denied ? cause : null));
        if (!denied)
        {
            var mode = Pick(["sender", "receiver", "network"]);
            Emit(t, mode == "network" ? "MF" : "BAR", ServiceProvision, "contract", icid, new AvatarRepresentationDelivered(
                mode, Hash(), 20_000 + _random.Next(400_000), mode == "network" ? t.Instance("MF") : t.Instance("DCAS"), avatarId, calleeImpu));
        }
    }

    /// <summary>WT3: a DC AS asks the NEF to add a data channel to a subscriber's session; the IMS AS decides.</summary>
    private void ExposureRequest(TenantState t)
    {
        var application = Pick(DcApplications);
        var consumer = t.NfInstanceId(application);
        var correlation = $"nef-corr-{Hex(4)}";
        var target = t.TelImpu(Subscriber(t));
        var operation = Pick(["add-dc", "add-dc", "update-dc", "remove-dc", "standalone-dc-session"]);
        var token = Chance(50) ? IssueToken(t, consumer, "NEF", ["nnef-imssm"]) : t.Token(consumer);
        var peer = $"{application}.apps.example.org";

        if (token is null || Chance(12))
        {
            var cause = token is null ? "token-missing" : Pick(["token-expired", "insufficient-scope", "mtls-peer-mismatch", "consumer-not-allowed"]);
            Emit(t, "NEF", AccessControl, "legal-obligation", correlation, new SbiCallRejected(
                "Nnef_ImsSessionManagement", "Create", consumer, token is not null, cause == "token-missing" || cause == "token-expired" ? 401 : 403, cause,
                TokenSubject: token is null ? null : consumer, TokenHash: token, MtlsPeer: peer, Target: target));
            return;
        }

        Emit(t, "NEF", AccessControl, "legal-obligation", correlation, new SbiCallAuthorized(
            "Nnef_ImsSessionManagement", "Create", consumer, true, 201, consumer, ["nnef-imssm"], token, null, peer, target));
        var nefAuthorized = Chance(90);
        Emit(t, "NEF", ServiceProvision, "consent", correlation, new ExposureSessionManagementRequested(
            application, operation, nefAuthorized ? "authorized" : "denied", target, application, nefAuthorized ? null : "af-not-authorized-for-target"));
        if (!nefAuthorized)
        {
            return;
        }

        var nef = t.NfInstanceId("NEF");
        Emit(t, "IMSAS", AccessControl, "legal-obligation", correlation, new SbiCallAuthorized(
            "Nimsas_ImsSessionManagement", "Create", nef, true, 201, nef, ["nimsas-imssm"], t.Token(nef) ?? IssueToken(t, nef, "IMSAS", ["nimsas-imssm", "nimsas-ee"]), null, t.Instance("NEF") + ".example.org", target));
        var subscription = Chance(95) ? "passed" : "failed";
        var capability = operation == "remove-dc" ? "not-checked" : Chance(90) ? "passed" : "failed";
        var consent = t.HasConsent(target, application) || Chance(75) ? "passed" : "failed";
        var accepted = subscription == "passed" && capability != "failed" && consent == "passed";
        var rejectCause = accepted ? null
            : subscription == "failed" ? "no-dc-subscription"
            : capability == "failed" ? "ue-not-dc-capable"
            : "no-consent";
        Emit(t, "IMSAS", ServiceProvision, "consent", correlation, new ExposureSessionManagementDecided(
            application, operation, subscription, capability, consent, accepted ? "accepted" : "rejected", accepted, target, rejectCause));
    }

    /// <summary>WT3: a DC AS subscribes to IMS events (or changes or ends a subscription).</summary>
    private void SubscriptionChange(TenantState t)
    {
        var service = Pick(["Nimsas_ImsEE", "Nimsas_ImsEE", "Nhss_ImsEE", "Nnef_EventExposure"]);
        var nfType = service switch { "Nhss_ImsEE" => "HSS", "Nnef_EventExposure" => "NEF", _ => "IMSAS" };
        var correlation = $"nef-corr-{Hex(4)}";
        if (t.Subscriptions.Count > 0 && Chance(35))
        {
            var existing = Pick(t.Subscriptions);
            var delete = Chance(50);
            if (delete)
            {
                t.Subscriptions.Remove(existing);
            }
            else
            {
                existing.Targets = existing.Targets is null ? null : [.. existing.Targets.Take(1), t.TelImpu(Subscriber(t))];
            }

            Emit(t, nfType, ServiceProvision, "consent", correlation, new ExposureSubscriptionChanged(
                existing.Id, delete ? "deleted" : "modified", existing.Consumer, existing.EventTypes, existing.Targets is not null, service, null, existing.Targets));
            return;
        }

        var consumer = Pick(DcApplications);
        var specific = Chance(60);
        var created = new Subscription(
            $"sub-{t.Index + 1}{_random.Next(100_000):D5}",
            consumer,
            [.. ExposedEventTypes.Where(_ => Chance(60)).DefaultIfEmpty("APP_DC_ESTABLISHED")],
            specific ? [.. Enumerable.Range(0, 1 + _random.Next(5)).Select(_ => t.TelImpu(Subscriber(t))).Distinct()] : null);
        t.Subscriptions.Add(created);
        if (t.Subscriptions.Count > 12)
        {
            t.Subscriptions.RemoveAt(0);
        }

        if (service == "Nimsas_ImsEE")
        {
            // The NEF subscribes at the IMS AS on the DC AS's behalf.
            var nef = t.NfInstanceId("NEF");
            Emit(t, "IMSAS", AccessControl, "legal-obligation", correlation, new SbiCallAuthorized(
                service, "Subscribe", nef, true, 201, nef, ["nimsas-ee"], t.Token(nef) ?? IssueToken(t, nef, "IMSAS", ["nimsas-imssm", "nimsas-ee"])));
        }

        Emit(t, nfType, ServiceProvision, "consent", correlation, new ExposureSubscriptionChanged(
            created.Id, "created", consumer, created.EventTypes, specific, service, _now.AddDays(30 + _random.Next(150)), created.Targets));
    }

    /// <summary>WT1: an enterprise employee calls out under a third-party identity; the call is signed, verified and presented.</summary>
    private void EnterpriseCall(TenantState t)
    {
        var binding = t.Bindings.Count > 0 && Chance(90) ? Pick(t.Bindings) : CreateBinding(t);
        var origId = Guid();
        var accessMode = binding.TrunkId is null ? "registration" : "sip-trunk";
        var rejected = Chance(6);
        var callerNumber = binding.Number;
        var callee = t.TelImpu(Subscriber(t));
        Emit(t, accessMode == "sip-trunk" && Chance(40) ? "IBCF" : "IMSAS", ServiceProvision, "contract", origId, new IdentityAsserted(
            accessMode,
            rejected ? "rejected" : "asserted",
            binding.ThirdPartyId,
            binding.Impu,
            binding.TrunkId,
            rejected ? null : binding.BindingId,
            rejected ? Pick(["no-binding", "binding-removed", "trunk-mismatch"]) : null));
        if (rejected)
        {
            return;
        }

        var delegated = t.DelegateCerts.ContainsKey(binding.EnterpriseId);
        var passportHash = Hash();
        var rcd = Chance(50);
        Emit(t, "TAS", FraudPrevention, "legal-obligation", origId, new IdentitySigned(
            passportHash,
            _now,
            delegated ? t.DelegateCerts[binding.EnterpriseId] : t.OperatorCert,
            delegated,
            callerNumber,
            callee,
            rcd ? "rcd" : "shaken",
            rcd ? null : Pick(["A", "A", "A", "B"]),
            origId,
            delegated ? $"https://cert.example.org/{binding.EnterpriseId}/delegate.pem" : $"https://cert.{t.Name}.example.org/sti.pem",
            rcd ? [.. new[] { "nam", "jcd", "icn", "crn" }.Where(_ => Chance(60)).DefaultIfEmpty("nam")] : null));

        var roll = _random.Next(100);
        var (result, reason, age) = roll switch
        {
            < 78 => ("valid", (string?)null, _random.Next(0, 6)),
            < 85 => ("stale", "403", 61 + _random.Next(600)),
            < 90 => ("invalid-signature", "438", _random.Next(0, 6)),
            < 95 => ("delegate-scope-error", "438", _random.Next(0, 6)),
            < 98 => ("cert-error", "436", _random.Next(0, 6)),
            _ => ("no-identity", "428", 0),
        };
        Emit(t, Chance(70) ? "IBCF" : "IMSAS", FraudPrevention, "legal-obligation", origId, new IdentityVerified(
            result == "no-identity" ? EmptyHash : passportHash, result, callerNumber, callee, reason, result == "no-identity" ? null : age, origId));

        var privacy = Chance(8);
        var kind = privacy ? "anonymous" : result == "valid" ? "third-party-id" : "number";
        Emit(t, Chance(60) ? "PCSCF" : "IMSAS", ServiceProvision, "contract", origId, new IdentityPresented(
            kind,
            privacy,
            callee,
            kind switch { "third-party-id" => binding.ThirdPartyId, "number" => callerNumber, _ => null },
            result switch { "valid" => "TN-Validation-Passed", "no-identity" => "No-TN-Validation", _ => "TN-Validation-Failed" }));
    }

    private Binding CreateBinding(TenantState t)
    {
        var (enterpriseId, domain, staff) = Pick(Enterprises);
        var number = Subscriber(t);
        var binding = new Binding(
            $"bind-{t.Index + 1}{_random.Next(100_000):D5}",
            enterpriseId,
            $"{Pick(staff)}@{domain}",
            t.SipImpu(number),
            t.TelImpu(number),
            Chance(70) ? $"trunk-{enterpriseId[4..]}-0{1 + _random.Next(2)}" : null);
        t.Bindings.Add(binding);
        if (t.Bindings.Count > 20)
        {
            t.Bindings.RemoveAt(0);
        }

        Emit(t, "IMSAS", ServiceProvision, "contract", null, new IdentityBindingChanged(
            enterpriseId, binding.BindingId, "created", Pick(["operator-provisioning", "enterprise-portal", "registration"]), binding.ThirdPartyId, binding.Impu, binding.TrunkId));
        return binding;
    }

    /// <summary>WT1 administration: bindings removed, delegate certificates issued, revoked or expired.</summary>
    private void EnterpriseAdministration(TenantState t)
    {
        if (Chance(40) && t.Bindings.Count > 0)
        {
            var binding = Pick(t.Bindings);
            t.Bindings.Remove(binding);
            Emit(t, "IMSAS", ServiceProvision, "contract", null, new IdentityBindingChanged(
                binding.EnterpriseId, binding.BindingId, "removed", Pick(["operator-provisioning", "enterprise-portal"]), binding.ThirdPartyId, binding.Impu, binding.TrunkId));
            return;
        }

        var (enterpriseId, domain, _) = Pick(Enterprises);
        var existing = t.DelegateCerts.GetValueOrDefault(enterpriseId);
        var change = existing is null ? "issued" : Pick(["issued", "revoked", "expired"]);
        var fingerprint = change == "issued" ? Hash() : existing!;
        if (change == "issued")
        {
            t.DelegateCerts[enterpriseId] = fingerprint;
        }
        else
        {
            t.DelegateCerts.Remove(enterpriseId);
        }

        Emit(t, "PKI", FraudPrevention, "legal-obligation", null, new DelegateCertificateChanged(
            enterpriseId,
            fingerprint,
            change,
            [$"+4915550{t.Index}{_random.Next(10):D1}"],
            change == "issued" ? _now.AddYears(1) : null,
            change == "issued" ? $"pki-contact@{domain}" : null));
    }

    /// <summary>WT2: avatars are created, updated and deleted in the BAR; now and then a list is fetched outside a call.</summary>
    private void AvatarManagement(TenantState t)
    {
        var owner = t.SipImpu(Subscriber(t));
        var owned = t.AvatarsOf(owner);
        if (owned.Count > 0 && Chance(40))
        {
            var avatarId = Pick(owned);
            var delete = Chance(40);
            if (delete)
            {
                t.Avatars.Remove(avatarId);
            }

            Emit(t, "BAR", ServiceProvision, "contract", null, new AvatarModelChanged(
                delete ? "deleted" : "updated", Chance(40), avatarId, owner, delete ? null : Hash()));
            return;
        }

        if (Chance(25))
        {
            Emit(t, "DCAS", ServiceProvision, "contract", null, new AvatarListFetched(
                "preconfigured", "trusted", owned.Count, owner, owned.Count == 0 ? null : owned));
            return;
        }

        CreateAvatar(t, owner, null);
    }

    private void CreateAvatar(TenantState t, string owner, string? correlationId)
    {
        var created = $"avatar-{t.Index + 1}{_random.Next(10_000):D4}";
        t.Avatars[created] = owner;
        // A model derived from a face scan is special-category data (GDPR Art 9): explicit consent is its basis.
        var biometric = Chance(40);
        Emit(t, "BAR", ServiceProvision, biometric ? "consent" : "contract", correlationId, new AvatarModelChanged("created", biometric, created, owner, Hash()));
    }

    private void ConsentChange(TenantState t)
    {
        if (t.Consents.Count > 0 && Chance(30))
        {
            var withdrawn = Pick(t.Consents);
            t.Consents.Remove(withdrawn);
            Emit(t, "CONSENT", withdrawn.Purpose, "legal-obligation", null, new ConsentWithdrawn(
                withdrawn.Purpose, "notice-2026-09", Pick(ConsentChannels), withdrawn.Subject, withdrawn.Recipient));
            return;
        }

        var consent = new GivenConsent(t.TelImpu(Subscriber(t)), Pick(ConsentPurposes), Chance(70) ? Pick(DcApplications) : null);
        t.Consents.Add(consent);
        if (t.Consents.Count > 200)
        {
            t.Consents.RemoveAt(0);
        }

        Emit(t, "CONSENT", consent.Purpose, "legal-obligation", null, new ConsentGiven(
            consent.Purpose,
            "notice-2026-09",
            Pick(ConsentChannels),
            consent.Subject,
            consent.Recipient,
            consent.Recipient is null ? null : Pick(DataCategories),
            Chance(50) ? _now.AddYears(1) : null));
    }

    private void Breach(TenantState t)
    {
        var detected = _now.AddMinutes(-_random.Next(5, 120));
        var personal = Chance(70);
        var nis2 = Chance(60);
        Emit(t, "SOC", "dpv:IncidentManagement", "legal-obligation", $"inc-{Hex(3)}", new SecurityBreachDetected(
            $"inc-{_now.Year}-{_random.Next(10_000):D4}",
            detected,
            Pick(["confidentiality", "confidentiality", "integrity", "availability"]),
            personal ? _random.Next(1, 5_000) : null,
            personal ? [.. DataCategories.Where(_ => Chance(40)).DefaultIfEmpty("session-event")] : null,
            personal ? detected.AddHours(72) : null,
            personal ? detected.AddHours(24) : null,
            nis2 ? detected.AddHours(24) : null,
            nis2 ? detected.AddHours(72) : null,
            nis2 ? detected.AddHours(72).AddMonths(1) : null));
    }

    private void Emit(TenantState tenant, string nfType, string purpose, string legalBasis, string? correlationId, object data) =>
        _pending.Enqueue(new Pending(tenant, nfType, purpose, legalBasis, correlationId, data));

    private int Subscriber(TenantState t) => t.Index * _subscribersPerTenant + _random.Next(_subscribersPerTenant);

    private int OtherSubscriber(TenantState t, int than)
    {
        var other = Subscriber(t);
        return other == than ? t.Index * _subscribersPerTenant + (other - t.Index * _subscribersPerTenant + 1) % _subscribersPerTenant : other;
    }

    private bool Chance(int percent) => _random.Next(100) < percent;

    private T Pick<T>(IReadOnlyList<T> values) => values[_random.Next(values.Count)];

    private string Hex(int bytes)
    {
        var buffer = new byte[bytes];
        _random.NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }

    /// <summary>Stands in for a SHA-256 of something the simulation never has (a token, a PASSporT, a model).</summary>
    private string Hash() => Hex(32);

    private string Guid()
    {
        var buffer = new byte[16];
        _random.NextBytes(buffer);
        return new Guid(buffer).ToString();
    }

    private sealed record Pending(TenantState Tenant, string NfType, string Purpose, string LegalBasis, string? CorrelationId, object Data);

    private sealed class Subscription(string id, string consumer, IReadOnlyList<string> eventTypes, IReadOnlyList<string>? targets)
    {
        public string Id { get; } = id;

        public string Consumer { get; } = consumer;

        public IReadOnlyList<string> EventTypes { get; } = eventTypes;

        /// <summary>Null when the subscription is not subscriber-specific.</summary>
        public IReadOnlyList<string>? Targets { get; set; } = targets;
    }

    private sealed record Binding(string BindingId, string EnterpriseId, string ThirdPartyId, string Impu, string Number, string? TrunkId);

    private sealed record GivenConsent(string Subject, string Purpose, string? Recipient);

    /// <summary>What the simulation remembers of one operator, so later events refer to earlier ones.</summary>
    private sealed class TenantState(string name, int index, Func<string> newGuid)
    {
        private readonly Dictionary<string, string> _nfInstanceIds = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public int Index { get; } = index;

        public string OperatorCert { get; } = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)));

        public List<Subscription> Subscriptions { get; } = [];

        public List<Binding> Bindings { get; } = [];

        public List<GivenConsent> Consents { get; } = [];

        public Dictionary<string, string> Avatars { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> DelegateCerts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Tokens { get; } = new(StringComparer.Ordinal);

        public string Instance(string nfType) => $"{nfType.ToLowerInvariant()}-eu{Index + 1}-01";

        /// <summary>The NF instance id (TS 29.510, a UUID) of an NF or DC AS application, stable within the run.</summary>
        public string NfInstanceId(string nf)
        {
            if (!_nfInstanceIds.TryGetValue(nf, out var id))
            {
                id = newGuid();
                _nfInstanceIds[nf] = id;
            }

            return id;
        }

        public string? Token(string consumer) => Tokens.GetValueOrDefault(consumer);

        public string TelImpu(int subscriber) => $"tel:+4915550{subscriber:D5}";

        public string SipImpu(int subscriber) => $"sip:+4915550{subscriber:D5}@ims.{Name}.example.org";

        public List<string> AvatarsOf(string owner) => [.. Avatars.Where(a => a.Value == owner).Select(a => a.Key).Order(StringComparer.Ordinal)];

        public bool HasConsent(string subject, string recipient) => Consents.Any(c => c.Subject == subject && c.Recipient == recipient);
    }
}
