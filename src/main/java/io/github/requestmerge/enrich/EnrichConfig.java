package io.github.requestmerge.enrich;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

import io.github.requestmerge.ConfigForms;

/**
 * Configuration of the {@link Enrich} transform. Every key has a group, display name and doc for Control Center;
 * the property lists offer their properties as a choice ({@link ConfigForms.Choice}), and each group's keys are
 * shown only while its enrichment is on.
 */
public final class EnrichConfig extends AbstractConfig {

    static final String GEO_GROUP = "GeoIP";
    static final String UA_GROUP = "User agent";

    public static final String GEOIP_ENABLED = "geoip.enabled";
    public static final String GEOIP_DATABASE_PATH = "geoip.database.path";
    public static final String GEOIP_ASN_DATABASE_PATH = "geoip.asn.database.path";
    public static final String GEOIP_SOURCE_FIELD = "geoip.source.field";
    public static final String GEOIP_TARGET_FIELD = "geoip.target.field";
    public static final String GEOIP_PROPERTIES = "geoip.properties";
    public static final String GEOIP_LOCALE = "geoip.locale";
    public static final String GEOIP_RELOAD_INTERVAL_MS = "geoip.reload.interval.ms";
    public static final String GEOIP_CACHE_SIZE = "geoip.cache.size";

    public static final String USERAGENT_ENABLED = "useragent.enabled";
    public static final String USERAGENT_SOURCE_FIELD = "useragent.source.field";
    public static final String USERAGENT_TARGET_FIELD = "useragent.target.field";
    public static final String USERAGENT_PROPERTIES = "useragent.properties";
    public static final String USERAGENT_REGEXES_PATH = "useragent.regexes.path";
    public static final String USERAGENT_MAX_LENGTH = "useragent.max.length";
    public static final String USERAGENT_CACHE_SIZE = "useragent.cache.size";

    /** The one definition of this transform's keys; {@link Enrich#config()} returns it. */
    public static final ConfigDef CONFIG_DEF = addUserAgentConfigs(addGeoConfigs(new ConfigDef()));

    public EnrichConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals, false);
        if (geoEnabled() && getString(GEOIP_DATABASE_PATH).isBlank()) {
            throw new ConfigException(GEOIP_DATABASE_PATH, "",
                "a GeoIP2/GeoLite2 City or Country .mmdb file is required while " + GEOIP_ENABLED + "=true");
        }
        if (geoEnabled() && asnDatabasePath() == null) {
            for (GeoProperty property : geoProperties()) {
                if (property.fromAsnDatabase()) {
                    throw new ConfigException(GEOIP_PROPERTIES, getList(GEOIP_PROPERTIES),
                        "'" + property.fieldName() + "' comes from an ASN database; set " + GEOIP_ASN_DATABASE_PATH);
                }
            }
        }
        if (geoEnabled() && userAgentEnabled() && geoTargetField().equals(userAgentTargetField())) {
            throw new ConfigException(USERAGENT_TARGET_FIELD, userAgentTargetField(),
                "must differ from " + GEOIP_TARGET_FIELD);
        }
    }

    private static ConfigDef addGeoConfigs(ConfigDef def) {
        int order = 0;
        ConfigDef.Recommender geo = ConfigForms.shownWhen(ConfigForms.isOn(GEOIP_ENABLED));
        ConfigForms.Choice properties = ConfigForms.choice(
            Arrays.stream(GeoProperty.values()).map(GeoProperty::fieldName).toList(), GeoProperty::parse)
            .shownWhen(ConfigForms.isOn(GEOIP_ENABLED));
        return def
            .define(GEOIP_ENABLED, Type.BOOLEAN, true, Importance.HIGH,
                "Whether to add geo fields looked up from the IP address field.",
                GEO_GROUP, ++order, Width.SHORT, "Geo enrichment",
                List.of(GEOIP_DATABASE_PATH, GEOIP_ASN_DATABASE_PATH, GEOIP_SOURCE_FIELD, GEOIP_TARGET_FIELD,
                    GEOIP_PROPERTIES, GEOIP_LOCALE, GEOIP_RELOAD_INTERVAL_MS, GEOIP_CACHE_SIZE))
            .define(GEOIP_DATABASE_PATH, Type.STRING, "", Importance.HIGH,
                "Path on the worker to a MaxMind GeoIP2 or GeoLite2 City or Country database (.mmdb). "
                    + "Required while " + GEOIP_ENABLED + "=true. Replace the file atomically (as geoipupdate does) "
                    + "and lookups switch to the new file within " + GEOIP_RELOAD_INTERVAL_MS + ".",
                GEO_GROUP, ++order, Width.LONG, "GeoIP database", geo)
            .define(GEOIP_ASN_DATABASE_PATH, Type.STRING, "", Importance.LOW,
                "Optional path to a GeoIP2/GeoLite2 ASN database, needed for the asn, organization_name and network "
                    + "properties. Reloaded like the main database.",
                GEO_GROUP, ++order, Width.LONG, "ASN database", geo)
            .define(GEOIP_SOURCE_FIELD, Type.STRING, "ipaddress", fieldPathValidator(), Importance.HIGH,
                "Field holding the IPv4 or IPv6 address as a string; a dotted path such as client.ip reaches a "
                    + "nested field. Host names are never resolved.",
                GEO_GROUP, ++order, Width.MEDIUM, "IP address field", geo)
            .define(GEOIP_TARGET_FIELD, Type.STRING, "geo", topLevelFieldValidator(), Importance.MEDIUM,
                "Top-level field the geo object is written to.",
                GEO_GROUP, ++order, Width.MEDIUM, "Geo target field", geo)
            .define(GEOIP_PROPERTIES, Type.LIST, GeoProperty.DEFAULTS, properties, Importance.MEDIUM,
                "Fields of the geo object, named as by Elasticsearch's geoip processor. Available: "
                    + GeoProperty.known() + ". location is written as {lat, lon} for a geo_point mapping.",
                GEO_GROUP, ++order, Width.LONG, "Geo properties", properties)
            .define(GEOIP_LOCALE, Type.STRING, "en", localeValidator(), Importance.LOW,
                "Language of continent, country, region and city names (one of the database's languages, e.g. "
                    + "en, de, fr, ja, pt-BR, zh-CN). Names missing in that language are left out.",
                GEO_GROUP, ++order, Width.SHORT, "Name language", geo)
            .define(GEOIP_RELOAD_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                "How often to check whether a database file was replaced; 0 disables reloading. A replaced file "
                    + "that cannot be read keeps the previous database in use and logs one error.",
                GEO_GROUP, ++order, Width.SHORT, "Reload check interval (ms)", geo)
            .define(GEOIP_CACHE_SIZE, Type.INT, 10_000, ConfigDef.Range.atLeast(0), Importance.LOW,
                "Entries of the cache of lookup results by IP address; 0 disables it. One cache (and one reader per "
                    + "database file) serves every task in the worker configured with the same databases, "
                    + "properties, locale and size.",
                GEO_GROUP, ++order, Width.SHORT, "Geo cache size", geo);
    }

    private static ConfigDef addUserAgentConfigs(ConfigDef def) {
        int order = 0;
        ConfigDef.Recommender userAgent = ConfigForms.shownWhen(ConfigForms.isOn(USERAGENT_ENABLED));
        ConfigForms.Choice properties = ConfigForms.choice(
            Arrays.stream(UserAgentProperty.values()).map(UserAgentProperty::path).toList(), UserAgentProperty::parse)
            .shownWhen(ConfigForms.isOn(USERAGENT_ENABLED));
        return def
            .define(USERAGENT_ENABLED, Type.BOOLEAN, true, Importance.HIGH,
                "Whether to add user-agent fields parsed from the user-agent field.",
                UA_GROUP, ++order, Width.SHORT, "User-agent enrichment",
                List.of(USERAGENT_SOURCE_FIELD, USERAGENT_TARGET_FIELD, USERAGENT_PROPERTIES, USERAGENT_REGEXES_PATH,
                    USERAGENT_MAX_LENGTH, USERAGENT_CACHE_SIZE))
            .define(USERAGENT_SOURCE_FIELD, Type.STRING, "useragent", fieldPathValidator(), Importance.HIGH,
                "Field holding the User-Agent header as a string; a dotted path reaches a nested field.",
                UA_GROUP, ++order, Width.MEDIUM, "User-agent field", userAgent)
            .define(USERAGENT_TARGET_FIELD, Type.STRING, "UA", topLevelFieldValidator(), Importance.MEDIUM,
                "Top-level field the user-agent object is written to.",
                UA_GROUP, ++order, Width.MEDIUM, "User-agent target field", userAgent)
            .define(USERAGENT_PROPERTIES, Type.LIST, UserAgentProperty.DEFAULTS, properties, Importance.MEDIUM,
                "Fields of the user-agent object, named as by Elasticsearch's user_agent processor. Available: "
                    + UserAgentProperty.known() + ". original copies the input string and is off by default.",
                UA_GROUP, ++order, Width.LONG, "User-agent properties", properties)
            .define(USERAGENT_REGEXES_PATH, Type.STRING, "", Importance.LOW,
                "Optional path to a uap-core regexes.yaml newer than the one bundled with uap-java. Empty uses the "
                    + "bundled file.",
                UA_GROUP, ++order, Width.LONG, "Regexes file", userAgent)
            .define(USERAGENT_MAX_LENGTH, Type.INT, 512, ConfigDef.Range.between(1, 65_536), Importance.LOW,
                "Longer user-agent strings are truncated to this many characters before parsing, which bounds "
                    + "the time one record can take.",
                UA_GROUP, ++order, Width.SHORT, "Maximum length", userAgent)
            .define(USERAGENT_CACHE_SIZE, Type.INT, 10_000, ConfigDef.Range.atLeast(0), Importance.LOW,
                "Entries of the cache of parsed user agents; 0 disables it. One cache (and one parser per regexes "
                    + "file) serves every task in the worker configured with the same regexes file and size.",
                UA_GROUP, ++order, Width.SHORT, "User-agent cache size", userAgent);
    }

    boolean geoEnabled() {
        return getBoolean(GEOIP_ENABLED);
    }

    Path geoDatabasePath() {
        return Paths.get(getString(GEOIP_DATABASE_PATH).trim());
    }

    /** @return the ASN database path, or null when none is configured */
    Path asnDatabasePath() {
        String path = getString(GEOIP_ASN_DATABASE_PATH).trim();
        return path.isEmpty() ? null : Paths.get(path);
    }

    FieldPath geoSourceField() {
        return FieldPath.parse(getString(GEOIP_SOURCE_FIELD));
    }

    String geoTargetField() {
        return getString(GEOIP_TARGET_FIELD).trim();
    }

    Set<GeoProperty> geoProperties() {
        Set<GeoProperty> properties = EnumSet.noneOf(GeoProperty.class);
        for (String name : getList(GEOIP_PROPERTIES)) {
            properties.add(GeoProperty.parse(name));
        }
        return properties;
    }

    String geoLocale() {
        return getString(GEOIP_LOCALE).trim();
    }

    long geoReloadIntervalMs() {
        return getLong(GEOIP_RELOAD_INTERVAL_MS);
    }

    int geoCacheSize() {
        return getInt(GEOIP_CACHE_SIZE);
    }

    boolean userAgentEnabled() {
        return getBoolean(USERAGENT_ENABLED);
    }

    FieldPath userAgentSourceField() {
        return FieldPath.parse(getString(USERAGENT_SOURCE_FIELD));
    }

    String userAgentTargetField() {
        return getString(USERAGENT_TARGET_FIELD).trim();
    }

    Set<UserAgentProperty> userAgentProperties() {
        Set<UserAgentProperty> properties = EnumSet.noneOf(UserAgentProperty.class);
        for (String name : getList(USERAGENT_PROPERTIES)) {
            properties.add(UserAgentProperty.parse(name));
        }
        return properties;
    }

    /** @return the custom regexes file, or null for uap-java's bundled one */
    Path userAgentRegexesPath() {
        String path = getString(USERAGENT_REGEXES_PATH).trim();
        return path.isEmpty() ? null : Paths.get(path);
    }

    int userAgentMaxLength() {
        return getInt(USERAGENT_MAX_LENGTH);
    }

    int userAgentCacheSize() {
        return getInt(USERAGENT_CACHE_SIZE);
    }

    private static ConfigDef.Validator fieldPathValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                try {
                    FieldPath.parse((String) value);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }

            @Override
            public String toString() {
                return "a field name or dotted path";
            }
        };
    }

    private static ConfigDef.Validator topLevelFieldValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String field = value == null ? "" : ((String) value).trim();
                if (field.isEmpty() || field.contains(".")) {
                    throw new ConfigException(name, value, "must be a top-level field name (no dots)");
                }
            }

            @Override
            public String toString() {
                return "a top-level field name";
            }
        };
    }

    private static ConfigDef.Validator localeValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String tag = value == null ? "" : ((String) value).trim();
                if (tag.isEmpty() || Locale.forLanguageTag(tag).getLanguage().isEmpty()) {
                    throw new ConfigException(name, value, "must be a language tag such as en, de or pt-BR");
                }
            }

            @Override
            public String toString() {
                return "a language tag such as en, de, pt-BR";
            }
        };
    }
}
