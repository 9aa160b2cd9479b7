{#- The body of the Square staging models' `localized` CTE: every column of `records`, plus
    iana_time_zone (Square's time-zone name looked up in the square_time_zones seed, given as
    the CTE `time_zones`; a name that already is an IANA id such as `America/New_York` is used
    as is) and transacted_at (transacted_at_local read in that zone, as UTC). -#}
{% macro square_localized(records, time_zones='time_zones') -%}
    select
        with_zone.*,
        {{ local_timestamp_to_utc('with_zone.transacted_at_local', 'with_zone.iana_time_zone') }}
            as transacted_at
    from (
        select
            {{ records }}.*,
            coalesce(
                {{ time_zones }}.iana_time_zone,
                case when {{ records }}.square_time_zone like '%/%' then {{ records }}.square_time_zone end
            ) as iana_time_zone
        from {{ records }}
        left join {{ time_zones }}
            on {{ records }}.square_time_zone = {{ time_zones }}.square_time_zone
    ) as with_zone
{%- endmacro %}
