{#- Device type from a user-agent string, by ordered `like` rules (first match wins):
      1. tablet  — `iPad`, `Tablet`, `Kindle`, `Silk/`, `PlayBook`, or `Android` without `Mobile`
      2. mobile  — `Mobi` (covers `Mobile`), `iPhone`, `iPod`, `Android`, `Windows Phone`, `BlackBerry`
      3. desktop — anything else
    Null user agent → null. iPadOS 13+ Safari announces itself as a Mac and lands in desktop. -#}
{% macro user_agent_device_type(user_agent) -%}
    {{ return(adapter.dispatch('user_agent_device_type', 'cdp')(user_agent)) }}
{%- endmacro %}

{% macro default__user_agent_device_type(user_agent) -%}
    case
        when {{ user_agent }} is null then null
        when {{ user_agent }} like '%iPad%'
            or {{ user_agent }} like '%Tablet%'
            or {{ user_agent }} like '%Kindle%'
            or {{ user_agent }} like '%Silk/%'
            or {{ user_agent }} like '%PlayBook%'
            or ({{ user_agent }} like '%Android%' and {{ user_agent }} not like '%Mobile%')
            then 'tablet'
        when {{ user_agent }} like '%Mobi%'
            or {{ user_agent }} like '%iPhone%'
            or {{ user_agent }} like '%iPod%'
            or {{ user_agent }} like '%Android%'
            or {{ user_agent }} like '%Windows Phone%'
            or {{ user_agent }} like '%BlackBerry%'
            then 'mobile'
        else 'desktop'
    end
{%- endmacro %}

{#- Browser family from a user-agent string, by ordered `like` rules (first match wins; order
    matters because Edge and Opera also say `Chrome/`, and Chrome also says `Safari/`):
      1. Edge    — `Edg/`, `Edge/`, `EdgA/`, `EdgiOS/`
      2. Other   — `OPR/`, `Opera`, `SamsungBrowser/`, `YaBrowser/`, `UCBrowser/` (Chromium-based
                   browsers that are not Chrome)
      3. Firefox — `Firefox/`, `FxiOS/`
      4. Chrome  — `Chrome/`, `CriOS/`, `Chromium/`
      5. Safari  — `Safari/`
      6. Other   — anything else
    Null user agent → null. -#}
{% macro user_agent_browser(user_agent) -%}
    {{ return(adapter.dispatch('user_agent_browser', 'cdp')(user_agent)) }}
{%- endmacro %}

{% macro default__user_agent_browser(user_agent) -%}
    case
        when {{ user_agent }} is null then null
        when {{ user_agent }} like '%Edg/%'
            or {{ user_agent }} like '%Edge/%'
            or {{ user_agent }} like '%EdgA/%'
            or {{ user_agent }} like '%EdgiOS/%'
            then 'Edge'
        when {{ user_agent }} like '%OPR/%'
            or {{ user_agent }} like '%Opera%'
            or {{ user_agent }} like '%SamsungBrowser/%'
            or {{ user_agent }} like '%YaBrowser/%'
            or {{ user_agent }} like '%UCBrowser/%'
            then 'Other'
        when {{ user_agent }} like '%Firefox/%' or {{ user_agent }} like '%FxiOS/%' then 'Firefox'
        when {{ user_agent }} like '%Chrome/%'
            or {{ user_agent }} like '%CriOS/%'
            or {{ user_agent }} like '%Chromium/%'
            then 'Chrome'
        when {{ user_agent }} like '%Safari/%' then 'Safari'
        else 'Other'
    end
{%- endmacro %}
