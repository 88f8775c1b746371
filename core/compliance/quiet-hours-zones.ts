import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Where a phone number rings, as IANA time zones. US/CA numbers by area code (the main zones;
 * numbers are portable, so this is where the number was issued — the best a sender can know
 * without the contact's own time zone). An unknown area code, or a country spanning several
 * zones, yields ALL of its zones: the quiet-hours check then requires every one of them to be
 * inside the window, the most conservative reading. Other countries: a single zone when known.
 */
const AREA_ZONES: Record<string, string> = {};
const add = (zone: string, codes: string) => codes.split(/\s+/).filter(Boolean).forEach((c) => (AREA_ZONES[c] = zone));

add('America/New_York', `201 202 203 207 212 215 216 220 223 234 239 240 248 252 267 269 272 276 301 302 304 305 313 315 321 326
  330 332 336 339 347 351 352 380 386 404 407 410 412 413 434 440 443 445 470 475 478 484 502 508 513 516 517 518 540 551 561 567
  570 571 585 586 603 607 609 610 614 616 617 631 646 656 678 680 681 689 703 704 706 716 717 718 724 727 732 734 740 743 754 757
  762 770 772 774 781 786 802 803 804 810 813 814 828 838 843 845 848 854 856 857 859 860 862 863 864 865 878 904 908 910 912 914
  917 919 929 934 937 941 947 954 959 973 978 980 984 989`);
add('America/Toronto', '226 249 289 343 365 416 437 519 613 647 705 905 418 438 450 514 579 581 819 873');
add('America/Halifax', '902 782 506');
add('America/St_Johns', '709');
add('America/Chicago', `205 210 214 217 218 219 224 225 228 251 254 256 262 270 281 309 312 314 316 318 319 320 325 331 334 337
  346 361 409 414 417 430 432 469 479 501 504 507 512 515 563 573 580 601 605 608 612 615 618 620 630 636 641 651 660 662 682 708
  712 713 715 731 737 763 769 773 779 785 806 815 816 817 830 832 847 870 872 901 903 913 918 920 931 936 940 945 952 956 972 979 985`);
add('America/Winnipeg', '204 431');
add('America/Regina', '306 639');
add('America/Denver', '208 303 307 385 406 435 505 575 719 720 801 915 970 983');
add('America/Phoenix', '480 520 602 623 928');
add('America/Edmonton', '403 587 780 825');
add('America/Los_Angeles', `206 209 213 253 279 310 323 341 350 360 408 415 424 425 442 458 503 509 510 530 541 559 562 564 619
  626 628 650 657 661 669 702 707 714 725 747 760 775 805 818 820 831 840 858 909 916 925 949 951 971`);
add('America/Vancouver', '236 250 604 672 778');
add('America/Anchorage', '907');
add('Pacific/Honolulu', '808');

const COUNTRY_ZONES: Record<string, string[]> = {
  US: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu'],
  CA: ['America/St_Johns', 'America/Halifax', 'America/Toronto', 'America/Winnipeg', 'America/Regina', 'America/Edmonton', 'America/Vancouver'],
  MX: ['America/Mexico_City', 'America/Tijuana', 'America/Cancun'],
  AU: ['Australia/Sydney', 'Australia/Brisbane', 'Australia/Adelaide', 'Australia/Perth'],
  BR: ['America/Sao_Paulo', 'America/Manaus'],
  GB: ['Europe/London'], IE: ['Europe/Dublin'], FR: ['Europe/Paris'], DE: ['Europe/Berlin'], ES: ['Europe/Madrid'],
  IT: ['Europe/Rome'], NL: ['Europe/Amsterdam'], BE: ['Europe/Brussels'], PT: ['Europe/Lisbon'], CH: ['Europe/Zurich'],
  AT: ['Europe/Vienna'], SE: ['Europe/Stockholm'], NO: ['Europe/Oslo'], DK: ['Europe/Copenhagen'], FI: ['Europe/Helsinki'],
  PL: ['Europe/Warsaw'], IN: ['Asia/Kolkata'], JP: ['Asia/Tokyo'], SG: ['Asia/Singapore'], NZ: ['Pacific/Auckland'],
  ZA: ['Africa/Johannesburg'], IL: ['Asia/Jerusalem'], PH: ['Asia/Manila'],
};

/** The zones a phone number may ring in; [] when the number says nothing usable. */
export function zonesOfPhone(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.country && parsed?.countryCallingCode !== '1') return [];
  if (parsed.countryCallingCode === '1') {
    const area = parsed.nationalNumber.slice(0, 3);
    const zone = AREA_ZONES[area];
    if (zone) return [zone];
    return COUNTRY_ZONES[parsed.country ?? 'US'] ?? COUNTRY_ZONES.US!;
  }
  return COUNTRY_ZONES[parsed.country!] ?? [];
}

export function isValidZone(tz: string | null | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
